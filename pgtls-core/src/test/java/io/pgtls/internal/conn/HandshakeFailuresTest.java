package io.pgtls.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The JDK's handshake messages, as they read in pgtls's log and metrics. */
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
}
