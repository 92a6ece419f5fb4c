package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.testkit.junit.StartStop;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * First messages inside TLS that are not a StartupMessage, cancel requests on both paths, and
 * direct TLS without ALPN. A raw client (the backend trusts it, so no SCRAM is needed) sends
 * exactly the bytes each case needs.
 */
class InsideTlsTest {
  private static final Fixture f = Fixture.get();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(f.trustingRoute("tls", true).build(),
      f.trustingRoute("no-plain-cancel", false).allowPlaintextCancel(false).build()));

  private static RawTlsClient client(String route) throws Exception {
    return new RawTlsClient(proxy.boundAddress(route).getPort(), f.pki.caCertificateFile());
  }

  @Test
  void sslRequestInsideTlsIsRefusedLikePostgresWith0A000() throws Exception {
    try (RawTlsClient c = client("tls")) {
      c.send(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
      assertThat(c.readError()).contains("C0A000")
          .contains("Munsupported frontend protocol 1234.5679: an encryption request inside an encrypted connection");
    }
  }

  @Test
  void protocolFourInsideTlsIsRefusedWith0A000() throws Exception {
    try (RawTlsClient c = client("tls")) {
      byte[] body = "user\0alice\0\0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      c.send(ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(4 << 16).put(body).array());
      assertThat(c.readError()).contains("C0A000").contains("Munsupported frontend protocol 4.0");
    }
  }

  @Test
  void badLengthInsideTlsIsRefusedWith08P01() throws Exception {
    try (RawTlsClient c = client("tls")) {
      c.send(ByteBuffer.allocate(8).putInt(100_000).putInt(196608).array());
      assertThat(c.readError()).contains("C08P01").contains("Minvalid length of startup packet");
    }
  }

  @Test
  void cancelRequestInsideTlsCancelsTheRunningQuery() throws Exception {
    // libpq 17's PQcancelCreate sends the CancelRequest inside TLS; pgtls forwards it over the
    // route's TLS backend leg.
    try (RawTlsClient session = client("tls")) {
      session.startup(Fixture.USER, Fixture.DATABASE);
      session.query("select pg_sleep(60)");
      Thread.sleep(300);
      try (RawTlsClient canceller = client("tls")) {
        canceller.send(session.cancelRequest());
        assertThat(canceller.in.read()).as("no reply, just EOF").isEqualTo(-1);
      }
      assertThatThrownBy(session::readUntilReady).hasMessageContaining("C57014")
          .hasMessageContaining("canceling statement due to user request");
    }
  }

  @Test
  void plaintextCancelIsDroppedWhereTheRouteAcceptsCancelsOnlyInsideTls() throws Exception {
    try (RawTlsClient session = client("no-plain-cancel")) {
      session.startup(Fixture.USER, Fixture.DATABASE);
      session.query("select pg_sleep(1.5)");
      try (Socket plain = new Socket("127.0.0.1", proxy.boundAddress("no-plain-cancel").getPort())) {
        plain.setSoTimeout(10_000);
        plain.getOutputStream().write(session.cancelRequest());
        assertThat(plain.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(session.readUntilReady()).as("the query ran to its end").isEqualTo(1);
    }
  }

  @Test
  void directTlsWithoutAlpnIsClosedAfterTheHandshakeLikePostgresDoes() throws Exception {
    try (LogCapture log = LogCapture.connections();
        RawTlsClient direct = new RawTlsClient(proxy.boundAddress("tls").getPort(), f.pki.caCertificateFile(), true)) {
      int first;
      try {
        first = direct.in.read();
      } catch (IOException e) {
        first = -1;
      }
      assertThat(first).isEqualTo(-1);
      assertThat(log.awaitLine("without ALPN")).contains("direct TLS connection without ALPN 'postgresql' refused");
    }
  }
}
