package io.pgtls.benchmarks;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed certificate for in-memory TLS sessions. */
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
}
