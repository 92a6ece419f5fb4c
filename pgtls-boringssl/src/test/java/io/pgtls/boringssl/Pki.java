package io.pgtls.boringssl;

import io.pgtls.tls.TlsMaterial;
import io.pgtls.tls.TrustMaterial;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway ECDSA P-256 PKI written to PEM files: a CA, a server for localhost, a client. */
final class Pki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  record Issued(X509Certificate certificate, KeyPair keys, Path certificateFile, Path keyFile) {
    TlsMaterial material() {
      try {
        return TlsMaterial.load(certificateFile, keyFile);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  final Issued ca;
  final Issued server;
  final Issued client;
  final Issued stranger;

  Pki(Path dir) {
    ca = issue(dir, "ca", null, "CN=pgtls-boringssl test CA", true);
    server = issue(dir, "server", ca, "CN=localhost", false, "localhost", "127.0.0.1");
    client = issue(dir, "client", ca, "CN=alice", false);
    Issued otherCa = issue(dir, "other-ca", null, "CN=another CA", true);
    stranger = issue(dir, "stranger", otherCa, "CN=mallory", false);
  }

  TrustMaterial trust() {
    try {
      return TrustMaterial.load(ca.certificateFile);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Issued issue(Path dir, String name, Issued issuer, String subject, boolean isCa, String... sans) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = g.generateKeyPair();
      X500Principal issuerName = issuer == null ? new X500Principal(subject)
          : issuer.certificate.getSubjectX500Principal();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(2))), new X500Principal(subject), keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign
          : KeyUsage.digitalSignature));
      if (sans.length > 0) {
        GeneralName[] names = new GeneralName[sans.length];
        for (int i = 0; i < sans.length; i++) {
          names[i] = new GeneralName(Character.isDigit(sans[i].charAt(0)) ? GeneralName.iPAddress
              : GeneralName.dNSName, sans[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(b.build(
          new JcaContentSignerBuilder("SHA256withECDSA").build(issuer == null ? keys.getPrivate()
              : issuer.keys.getPrivate())));
      Path certificateFile = dir.resolve(name + ".crt");
      Path keyFile = dir.resolve(name + ".key");
      Files.writeString(certificateFile, pem(certificate) + (issuer == null || issuer.certificate.equals(certificate)
          ? "" : ""));
      Files.writeString(keyFile, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
      return new Issued(certificate, keys, certificateFile, keyFile);
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue " + name, e);
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    }
    return out.toString();
  }
}
