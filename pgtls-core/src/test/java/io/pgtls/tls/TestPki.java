package io.pgtls.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates and keys made with BouncyCastle, so that the JDK-only production code is
 * checked against an independent implementation. BouncyCastle is never registered as a JCA
 * provider: the code under test must work with the JDK's providers alone.
 */
final class TestPki {

  static final Provider BC = new BouncyCastleProvider();

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate and the key pair it certifies. */
  record Issued(X509Certificate certificate, KeyPair keys) {
    PrivateKey privateKey() {
      return keys.getPrivate();
    }
  }

  private TestPki() {
  }

  static KeyPair rsa() {
    return generate("RSA", 2048);
  }

  /** An EC key from BouncyCastle, whose SEC1 encoding names its curve inline, like openssl's. */
  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An EC key from the JDK, whose inner SEC1 structure omits the curve. */
  static KeyPair jdkEc(String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair ed25519() {
    return generate("Ed25519", 0);
  }

  private static KeyPair generate(String algorithm, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, BC);
      if (bits > 0) {
        generator.initialize(bits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static Issued ca(String cn) {
    return ca(cn, rsa());
  }

  static Issued ca(String cn, KeyPair keys) {
    return build(null, "CN=" + cn, keys, signatureAlgorithmFor(keys.getPrivate()), true, null);
  }

  static Issued intermediate(Issued issuer, String cn) {
    return build(issuer, "CN=" + cn, rsa(), signatureAlgorithmFor(issuer.privateKey()), true, null);
  }

  /** A server certificate; each SAN that looks like an IP address becomes an iPAddress entry. */
  static Issued server(Issued issuer, String cn, String... subjectAltNames) {
    return leaf(issuer, "CN=" + cn, rsa(), KeyPurposeId.id_kp_serverAuth, subjectAltNames);
  }

  static Issued client(Issued issuer, String cn) {
    return leaf(issuer, "CN=" + cn, rsa(), KeyPurposeId.id_kp_clientAuth);
  }

  static Issued leaf(Issued issuer, String subject, KeyPair keys, KeyPurposeId purpose, String... subjectAltNames) {
    return build(issuer, subject, keys, signatureAlgorithmFor(issuer.privateKey()), false, purpose, subjectAltNames);
  }

  /** A leaf signed with an explicit algorithm such as "SHA1withRSA" or "SHA384withECDSA". */
  static Issued signedWith(Issued issuer, String signatureAlgorithm) {
    return build(issuer, "CN=signed-with-" + signatureAlgorithm, rsa(), signatureAlgorithm, false,
        KeyPurposeId.id_kp_serverAuth);
  }

  static String signatureAlgorithmFor(PrivateKey key) {
    switch (key.getAlgorithm()) {
      case "RSA":
        return "SHA256withRSA";
      case "EC":
      case "ECDSA":
        return "SHA256withECDSA";
      default:
        return key.getAlgorithm(); // Ed25519
    }
  }

  private static Issued build(Issued issuer, String subject, KeyPair keys, String signatureAlgorithm, boolean isCa,
      KeyPurposeId purpose, String... subjectAltNames) {
    try {
      Instant now = Instant.now();
      X500Name subjectName = new X500Name(subject);
      X500Name issuerName = issuer == null
          ? subjectName
          : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(30))), subjectName, keys.getPublic());
      if (isCa) {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      }
      if (purpose != null) {
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      }
      if (subjectAltNames.length > 0) {
        List<GeneralName> names = new ArrayList<>();
        for (String name : subjectAltNames) {
          boolean ip = name.contains(":") || name.matches("[0-9.]+");
          names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(new GeneralName[0])));
      }
      PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.privateKey();
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(signatureAlgorithm).setProvider(BC).build(signingKey)));
      return new Issued(certificate, keys);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A CRL of {@code issuer}, issued a minute ago, listing {@code revoked}. */
  static X509CRL crl(Issued issuer, Instant nextUpdate, Issued... revoked) {
    return crl(issuer.certificate(), issuer.privateKey(), Instant.now().minus(Duration.ofMinutes(1)), nextUpdate,
        revoked);
  }

  /**
   * A CRL naming {@code issuer}'s subject, signed by {@code signingKey} (another key than the
   * issuer's makes a forgery), listing {@code revoked}; {@code nextUpdate} may be null.
   */
  static X509CRL crl(X509Certificate issuer, PrivateKey signingKey, Instant thisUpdate, Instant nextUpdate,
      Issued... revoked) {
    return crl(issuer, signingKey, thisUpdate, nextUpdate, builder -> { }, revoked);
  }

  /** As {@link #crl(X509Certificate, PrivateKey, Instant, Instant, Issued...)}, with extensions added. */
  static X509CRL crl(X509Certificate issuer, PrivateKey signingKey, Instant thisUpdate, Instant nextUpdate,
      CrlExtensionAdder extensions, Issued... revoked) {
    try {
      X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(issuer.getSubjectX500Principal(), Date.from(thisUpdate));
      if (nextUpdate != null) {
        builder.setNextUpdate(Date.from(nextUpdate));
      }
      for (Issued certificate : revoked) {
        builder.addCRLEntry(certificate.certificate().getSerialNumber(), Date.from(thisUpdate), CRLReason.keyCompromise);
      }
      builder.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(SERIAL.incrementAndGet())));
      extensions.add(builder);
      return new JcaX509CRLConverter().getCRL(builder.build(
          new JcaContentSignerBuilder(signatureAlgorithmFor(signingKey)).setProvider(BC).build(signingKey)));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Adds extensions to a CRL being built. */
  interface CrlExtensionAdder {
    void add(X509v2CRLBuilder builder) throws IOException;
  }

  /**
   * PEM text of the given objects as BouncyCastle writes them: certificates as CERTIFICATE,
   * JCA private keys in the traditional encodings (RSA PRIVATE KEY, EC PRIVATE KEY), and
   * PEM generators (e.g. {@link #pkcs8(PrivateKey)}) as they generate.
   */
  static String pem(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object object : objects) {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  /** A PKCS#8 (BEGIN PRIVATE KEY) generator for {@link #pem(Object...)}. */
  static JcaPKCS8Generator pkcs8(PrivateKey key) {
    try {
      return new JcaPKCS8Generator(key, null);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path writeCertificates(Path file, Issued... chain) {
    Object[] certificates = new Object[chain.length];
    for (int i = 0; i < chain.length; i++) {
      certificates[i] = chain[i].certificate();
    }
    return write(file, pem(certificates));
  }

  /** PEM ("BEGIN X509 CRL") of the given CRLs, one after the other. */
  static Path writeCrls(Path file, X509CRL... crls) {
    return write(file, pem((Object[]) crls));
  }

  static Path writeDer(Path file, X509CRL crl) {
    try {
      return Files.write(file, crl.getEncoded());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path writePkcs8Key(Path file, Issued issued) {
    return write(file, pem(pkcs8(issued.privateKey())));
  }
}
