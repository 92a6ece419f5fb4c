package io.pgtls.internal.identity;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Client certificates with exactly the subject and subjectAltNames a test asks for, made with
 * BouncyCastle so that subjects the JDK cannot build (two CNs, a CN holding a NUL, a BMPString CN)
 * can be read back through the JDK. All share one key and one issuer name, since the JDK refuses a
 * certificate whose issuer is empty, as a self-signed one with an empty subject would be.
 * BouncyCastle is never registered as a provider.
 */
final class IdentityCertificates {
  private static final Provider BC = new BouncyCastleProvider();
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private static final X500Name ISSUER = new X500Name("CN=pgtls identity test issuer");
  /** One key for every certificate: only the names matter here. */
  private static final KeyPair KEYS = ecKey();

  private IdentityCertificates() {}

  /** An empty subject; each attribute added becomes its own RDN, in the order added (DER order). */
  static Subject subject() {
    return new Subject(new X500NameBuilder(BCStyle.INSTANCE));
  }

  /** A certificate whose subject is {@code CN=cn} (a UTF8String) and nothing else. */
  static X509Certificate withCn(String cn) {
    return certificate(subject().cn(cn).build());
  }

  /** A certificate with the given subject and subjectAltNames. */
  static X509Certificate certificate(X500Name subject, GeneralName... subjectAltNames) {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ISSUER,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(1))), subject, KEYS.getPublic());
      if (subjectAltNames.length > 0) {
        // RFC 5280 §4.2.1.6, which the JDK enforces: with an empty subject the SAN must be critical.
        boolean critical = subject.getRDNs().length == 0;
        builder.addExtension(Extension.subjectAlternativeName, critical, new GeneralNames(subjectAltNames));
      }
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(KEYS.getPrivate())));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  static GeneralName dns(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  static GeneralName email(String address) {
    return new GeneralName(GeneralName.rfc822Name, address);
  }

  static GeneralName uri(String uri) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
  }

  /** Builds a subject attribute by attribute, in DER order. */
  static final class Subject {
    private final X500NameBuilder builder;

    private Subject(X500NameBuilder builder) {
      this.builder = builder;
    }

    /** A commonName as a UTF8String, which may hold any character, NUL included. */
    Subject cn(String value) {
      return attribute(BCStyle.CN, new DERUTF8String(value));
    }

    /** A commonName of the given ASN.1 string type, e.g. a {@code DERBMPString}. */
    Subject cn(ASN1Encodable value) {
      return attribute(BCStyle.CN, value);
    }

    Subject attribute(ASN1ObjectIdentifier type, String value) {
      builder.addRDN(type, value);
      return this;
    }

    Subject attribute(ASN1ObjectIdentifier type, ASN1Encodable value) {
      builder.addRDN(type, value);
      return this;
    }

    X500Name build() {
      return builder.build();
    }
  }

  private static KeyPair ecKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
