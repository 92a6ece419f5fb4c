package io.pgtls.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The JDK's and BoringSSL's handshake messages, as they read in pgtls's log and metrics. */
class HandshakeFailuresTest {
  @Test
  void missingClientCertificateIsNamedAsSuch() {
    SSLHandshakeException e = new SSLHandshakeException("Empty client certificate chain");
    assertThat(HandshakeFailures.clientCode(e)).isEqualTo("no_client_certificate");
    assertThat(HandshakeFailures.client(e)).startsWith("the client presented no certificate from this route's client_ca")
        .endsWith("(Empty client certificate chain)");
  }

  @Test
  void revokedClientCertificateNamesSerialAndCrl() {
    SSLHandshakeException e = new SSLHandshakeException("serial 8F3A of CN=alice is revoked by the CRL of CN=Example CA "
        + "in /etc/pgtls/ca.crl (revoked at 2026-01-02T03:04:05Z, reason key_compromise)");
    assertThat(HandshakeFailures.clientCode(e)).isEqualTo("revoked_client_certificate");
    assertThat(HandshakeFailures.client(e)).isEqualTo("the client's certificate is revoked (serial 8F3A of CN=alice is "
        + "revoked by the CRL of CN=Example CA in /etc/pgtls/ca.crl (revoked at 2026-01-02T03:04:05Z, reason "
        + "key_compromise))");
  }

  @Test
  void missingOrExpiredCrlIsNotMistakenForAnExpiredCertificate() {
    SSLHandshakeException expired = new SSLHandshakeException("the CRL of CN=Example CA in /etc/pgtls/ca.crl expired "
        + "at 2026-01-02T03:04:05Z, so CN=alice cannot be checked; renew the CRL");
    SSLHandshakeException missing = new SSLHandshakeException("no CRL for issuer CN=Example Intermediate of CN=alice "
        + "in this route's client_crl files");
    assertThat(HandshakeFailures.clientCode(expired)).isEqualTo("client_crl_unusable");
    assertThat(HandshakeFailures.clientCode(missing)).isEqualTo("client_crl_unusable");
    assertThat(HandshakeFailures.client(expired)).startsWith("the client's certificate cannot be checked against this "
        + "route's client_crl (the CRL of CN=Example CA");
    assertThat(HandshakeFailures.client(missing)).endsWith("(no CRL for issuer CN=Example Intermediate of CN=alice "
        + "in this route's client_crl files)");
  }

  @Test
  void libpqRejectingTheProxyCertificateUnderTls13IsNotAGenericError() {
    SSLHandshakeException e = new SSLHandshakeException("Insufficient buffer remaining for AEAD cipher fragment (2). "
        + "Needs to be more than tag size (16)");
    assertThat(HandshakeFailures.clientCode(e)).isEqualTo("client_alert");
    assertThat(HandshakeFailures.client(e)).startsWith("the client ended the handshake, most likely rejecting pgtls's "
        + "certificate");
  }

  @Test
  void backendNameMismatchNamesTheExpectedHost() {
    SSLHandshakeException e = new SSLHandshakeException("No subject alternative DNS name matching db.example.com found.");
    assertThat(HandshakeFailures.backend(e, "db.example.com"))
        .startsWith("the backend's certificate does not match the host name 'db.example.com'");
  }

  @Test
  void boringSslsGenericMessageIsReadWithTheTrustManagersCause() {
    // netty-tcnative: "General OpenSslEngine problem", the trust manager's exception as the cause.
    SSLHandshakeException e = new SSLHandshakeException("General OpenSslEngine problem");
    e.initCause(new java.security.cert.CertificateException("serial 8F3A of CN=alice is revoked by the CRL of CN=CA"));
    assertThat(HandshakeFailures.clientCode(e)).isEqualTo("revoked_client_certificate");
    assertThat(HandshakeFailures.client(e)).isEqualTo("the client's certificate is revoked (General OpenSslEngine "
        + "problem: serial 8F3A of CN=alice is revoked by the CRL of CN=CA)");
  }

  @Test
  void aCauseWhoseWordsTheMessageAlreadyHasIsNotRepeated() {
    SSLHandshakeException e = new SSLHandshakeException("PKIX path building failed: unable to find valid certification path");
    e.initCause(new java.security.cert.CertificateException("unable to find valid certification path"));
    assertThat(HandshakeFailures.client(e)).endsWith("(PKIX path building failed: unable to find valid certification path)");
  }

  @Test
  void boringSslsReasonCodesAreNamedAsTheJdksAlertsAre() {
    assertThat(HandshakeFailures.clientCode(new SSLHandshakeException(
        "error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN"))).isEqualTo("client_alert");
    assertThat(HandshakeFailures.clientCode(new SSLHandshakeException(
        "error:10000070:SSL routines:OPENSSL_internal:BAD_PACKET_LENGTH"))).isEqualTo("not_tls");
    assertThat(HandshakeFailures.clientCode(new SSLHandshakeException(
        "error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL"))).isEqualTo("protocol_version");
    assertThat(HandshakeFailures.backend(new SSLHandshakeException(
        "error:1000045c:SSL routines:OPENSSL_internal:TLSV13_ALERT_CERTIFICATE_REQUIRED"), "db"))
        .startsWith("the backend rejected pgtls's client certificate");
  }
}
