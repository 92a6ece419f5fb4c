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
