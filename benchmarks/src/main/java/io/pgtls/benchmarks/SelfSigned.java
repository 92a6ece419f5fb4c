package io.pgtls.benchmarks;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Throwaway certificates for in-memory TLS sessions. */
final class SelfSigned {
  private SelfSigned() {}

  static X509Certificate certificate(KeyPair keys, String cn, BigInteger serial) throws Exception {
    X500Name name = new X500Name("CN=" + cn);
    long now = System.currentTimeMillis();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial, new Date(now - 3_600_000),
        new Date(now + 86_400_000), name, keys.getPublic());
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  /** A self-signed CA certificate (basic constraints CA, key usage keyCertSign), as run.sh's openssl makes. */
  static X509Certificate authority(KeyPair keys, String cn) throws Exception {
    X500Name name = new X500Name("CN=" + cn);
    long now = System.currentTimeMillis();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(now - 3_600_000),
        new Date(now + 86_400_000), name, keys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  /** A leaf certificate for {@code dnsName} (subjectAltName dNSName), issued by {@code ca}. */
  static X509Certificate issued(KeyPair keys, String dnsName, X509Certificate ca, PrivateKey caKey,
      BigInteger serial) throws Exception {
    long now = System.currentTimeMillis();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(X500Name.getInstance(
        ca.getSubjectX500Principal().getEncoded()), serial, new Date(now - 3_600_000), new Date(now + 86_400_000),
        new X500Name("CN=" + dnsName), keys.getPublic());
    b.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
  }

  /** Writes a PEM file: {@code label} blocks of each DER value, in order. */
  static Path pem(Path file, String label, byte[]... ders) throws Exception {
    StringBuilder text = new StringBuilder();
    Base64.Encoder base64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
    for (byte[] der : ders) {
      text.append("-----BEGIN ").append(label).append("-----\n").append(base64.encodeToString(der))
          .append("\n-----END ").append(label).append("-----\n");
    }
    return Files.writeString(file, text, StandardCharsets.US_ASCII);
  }
}
