package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.PgTlsProxy;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TrustMaterial;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/** Connection limits, the idle timeout, cipher suites and key file permissions. */
class LimitsTest {
  @TempDir Path dir;
  private final Fixture f = Fixture.get();

  @Test
  void beyondTheRouteLimitAClientGetsTooManyConnectionsNotAReset() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("two").maxConnections(2).build());
        Connection a = Fixture.connect(proxy.boundAddress("two"), f.verifyFull());
        Connection b = Fixture.connect(proxy.boundAddress("two"), f.verifyFull())) {
      assertThatThrownBy(() -> Fixture.connect(proxy.boundAddress("two"), f.verifyFull()).close())
          .isInstanceOfSatisfying(PSQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo("53300");
            assertThat(e.getMessage()).contains("sorry, too many clients already");
          });
      ClientTools.Result r = ClientTools.psql(f.conninfo(proxy.boundAddress("two"), "verify-full"), Fixture.PASSWORD,
          "select 1");
      assertThat(r.stderr).contains("FATAL:  sorry, too many clients already",
          "DETAIL:  route 'two' has reached its limit of 2 connections (max_connections)");
      a.close();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (proxy.metrics().get(0).connectionsActive() > 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      try (Connection c = Fixture.connect(proxy.boundAddress("two"), f.verifyFull())) {
        assertThat(Fixture.query(c, "select 'a slot came free'")).isEqualTo("a slot came free");
      }
      assertThat(proxy.metrics().get(0).refusals()).containsEntry("too_many_connections", 2L);
    }
  }

  @Test
  void theProxyWideLimitCoversAllRoutes() throws Exception {
    try (PgTlsProxy proxy = PgTlsProxy.builder().name("limited").maxConnections(1)
            .route(f.plainRoute("x").build()).route(f.plainRoute("y").build()).build().start();
        Connection x = Fixture.connect(proxy.boundAddress("x"), f.verifyFull())) {
      assertThatThrownBy(() -> Fixture.connect(proxy.boundAddress("y"), f.verifyFull()).close())
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("53300"));
      assertThat(Fixture.query(x, "select 1")).isEqualTo("1");
    }
  }

  @Test
  void anIdleSessionIsClosedAfterTheIdleTimeoutAndABusyOneIsNot() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("idle").idleTimeout(Duration.ofMillis(800)).build());
        Connection idle = Fixture.connect(proxy.boundAddress("idle"), f.verifyFull());
        Connection busy = Fixture.connect(proxy.boundAddress("idle"), f.verifyFull())) {
      for (int i = 0; i < 8; i++) {
        Fixture.query(busy, "select 1");
        Thread.sleep(250);
      }
      assertThat(Fixture.query(busy, "select 'busy lives'")).isEqualTo("busy lives");
      assertThatThrownBy(() -> Fixture.query(idle, "select 1")).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void tls12ClientOfferingOnlyCbcSuitesIsRefused() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("strong").build())) {
      int port = proxy.boundAddress("strong").getPort();
      Socket plain = new Socket("127.0.0.1", port);
      plain.setSoTimeout(10_000);
      plain.getOutputStream().write(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
      InputStream in = plain.getInputStream();
      assertThat(in.read()).isEqualTo('S');
      var ctx = TlsContexts.client(TrustMaterial.load(f.pki.caCertificateFile()), null);
      try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true)) {
        tls.setEnabledProtocols(new String[] {"TLSv1.2"});
        tls.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"});
        assertThatThrownBy(tls::startHandshake).isInstanceOf(SSLHandshakeException.class);
      }
    }
  }

  @Test
  void aGroupReadableKeyFileIsWarnedAbout() throws Exception {
    Path key = Files.copy(f.proxyCertificate.privateKeyFile(), dir.resolve("proxy.key"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    try (LogCapture log = LogCapture.of("io.pgtls.internal.route")) {
      PgTlsProxy.builder().route(f.plainRoute("perm").tls(io.pgtls.ListenerTls.pem(
          f.proxyCertificate.certificateFile(), key)).build()).build();
      assertThat(log.awaitLine("is readable by")).contains("route 'perm': listener server_key " + key
          + " is readable by every user: make it 0600");
    }
  }
}
