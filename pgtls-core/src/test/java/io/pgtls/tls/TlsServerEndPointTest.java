package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.tls.TestPki.Issued;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TlsServerEndPointTest {

  private static Issued rsaCa;

  @BeforeAll
  static void pki() {
    rsaCa = TestPki.ca("pgtls test CA");
  }

  @Test
  void sha256RsaCertificateHashesToSha256OfItsDer() throws Exception {
    X509Certificate certificate = TestPki.signedWith(rsaCa, "SHA256withRSA").certificate();

    assertThat(TlsContexts.tlsServerEndPointHash(certificate)).isEqualTo(digest("SHA-256", certificate));
  }

  @Test
  void sha384EcdsaCertificateUsesSha384NotAlwaysSha256() throws Exception {
    Issued ecCa = TestPki.ca("pgtls EC CA", TestPki.ec("secp384r1"));
    X509Certificate certificate = TestPki.signedWith(ecCa, "SHA384withECDSA").certificate();

    assertThat(TlsContexts.tlsServerEndPointHash(certificate)).isEqualTo(digest("SHA-384", certificate));
  }

  @Test
  void sha1SignedCertificateIsHashedWithSha256LikePostgresql() throws Exception {
    X509Certificate certificate = TestPki.signedWith(rsaCa, "SHA1withRSA").certificate();

    assertThat(TlsContexts.tlsServerEndPointHash(certificate)).isEqualTo(digest("SHA-256", certificate));
  }

  @Test
  void rsaPssCertificateUsesTheHashInItsSignatureParameters() throws Exception {
    X509Certificate certificate = TestPki.signedWith(rsaCa, "SHA512withRSAandMGF1").certificate();
    assertThat(certificate.getSigAlgName()).isEqualTo("RSASSA-PSS");

    assertThat(TlsContexts.tlsServerEndPointHash(certificate)).isEqualTo(digest("SHA-512", certificate));
  }

  @Test
  void ed25519SignedCertificateHasNoEndPointHash() {
    Issued edCa = TestPki.ca("pgtls Ed25519 CA", TestPki.ed25519());
    X509Certificate certificate = TestPki.signedWith(edCa, "Ed25519").certificate();

    assertThatThrownBy(() -> TlsContexts.tlsServerEndPointHash(certificate))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls-server-end-point is undefined");
  }

  private static byte[] digest(String algorithm, X509Certificate certificate) throws Exception {
    return MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
  }
}
