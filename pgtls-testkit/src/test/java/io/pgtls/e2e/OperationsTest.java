package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ListenerTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.RouteMetrics;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TrustMaterial;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator relies on: counters, certificate reload without dropping anyone, draining. */
class OperationsTest {
  @TempDir Path dir;
  private final Fixture f = Fixture.get();

  @Test
  void metricsCountSessionsRefusalsHandshakesAndBytes() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("m").build())) {
      try (Connection c = Fixture.connect(proxy.boundAddress("m"), f.verifyFull())) {
        assertThat(Fixture.query(c, "select repeat('x', 100000)")).hasSize(100_000);
      }
      ClientTools.psql(f.conninfo(proxy.boundAddress("m"), "disable"), Fixture.PASSWORD, "select 1");
      try (Socket garbage = new Socket("127.0.0.1", proxy.boundAddress("m").getPort())) {
        garbage.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
        garbage.getInputStream().read();
      }
      RouteMetrics m = awaitMetrics(proxy, x -> x.connectionsActive() == 0);
      assertThat(m.route()).isEqualTo("m");
      assertThat(m.connectionsAccepted()).isEqualTo(3);
      assertThat(m.sessions()).isEqualTo(1);
      assertThat(m.refusals()).containsEntry("plaintext", 1L).containsEntry("invalid_packet", 1L)
          .containsEntry("backend_unavailable", 0L);
      assertThat(m.clientHandshakes()).isEqualTo(1);
      assertThat(m.clientHandshakeSeconds()).isPositive();
      assertThat(m.backendConnects()).isEqualTo(1);
      assertThat(m.bytesBackendToClient()).isGreaterThan(100_000);
      assertThat(m.bytesClientToBackend()).isPositive();
      assertThat(m.certificateNotAfter())
          .containsEntry("listener", f.proxyCertificate.certificate().getNotAfter().toInstant());
    }
  }

  @Test
  void reloadedCertificateReachesNewClientsWhileLiveSessionsCarryOn() throws Exception {
    Path cert = dir.resolve("proxy.crt");
    Path key = dir.resolve("proxy.key");
    install(f.proxyCertificate, cert, key);
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("r").tls(ListenerTls.pem(cert, key)).build());
        Connection live = Fixture.connect(proxy.boundAddress("r"), f.verifyFull())) {
      int port = proxy.boundAddress("r").getPort();
      assertThat(serverCertificate(port).getSerialNumber()).isEqualTo(f.proxyCertificate.certificate().getSerialNumber());

      IssuedCertificate next = f.pki.server("pgtls-next", "localhost", "127.0.0.1");
      install(next, cert, key);
      assertThat(proxy.reloadCertificates()).isEmpty();
      assertThat(serverCertificate(port).getSerialNumber()).isEqualTo(next.certificate().getSerialNumber());
      assertThat(Fixture.query(live, "select 'still here'")).isEqualTo("still here");

      Files.writeString(key, "not a key");
      Map<String, String> failures = proxy.reloadCertificates();
      assertThat(failures).containsOnlyKeys("r");
      assertThat(failures.get("r")).startsWith("route 'r': listener server_cert/server_key: ");
      assertThat(serverCertificate(port).getSerialNumber()).as("the last good material stays in service")
          .isEqualTo(next.certificate().getSerialNumber());
      try (Connection c = Fixture.connect(proxy.boundAddress("r"), f.verifyFull())) {
        assertThat(Fixture.query(c, "select 1")).isEqualTo("1");
      }
    }
  }

  @Test
  void shutdownRefusesNewClientsAndLetsARunningQueryFinish() throws Exception {
    PgTlsProxy proxy = Fixture.start(f.plainRoute("d").build());
    int port = proxy.boundAddress("d").getPort();
    Connection c = Fixture.connect(proxy.boundAddress("d"), f.verifyFull());
    CompletableFuture<String> query = CompletableFuture.supplyAsync(() -> {
      try (Statement s = c.createStatement(); var rs = s.executeQuery("select pg_sleep(1.5), 'finished'")) {
        rs.next();
        return rs.getString(2);
      } catch (Exception e) {
        throw new RuntimeException(e);
      } finally {
        try {
          c.close();
        } catch (Exception ignored) {
          // the session is over either way
        }
      }
    });
    Thread.sleep(300);
    CompletableFuture<Integer> drained = CompletableFuture.supplyAsync(() -> {
      try {
        return proxy.shutdown(Duration.ofSeconds(20));
      } catch (InterruptedException e) {
        throw new RuntimeException(e);
      }
    });
    Thread.sleep(300);
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    assertThat(query.get(20, TimeUnit.SECONDS)).isEqualTo("finished");
    assertThat(drained.get(20, TimeUnit.SECONDS)).as("connections left when the drain time ran out").isZero();
    assertThat(proxy.isRunning()).isFalse();
  }

  private static void install(IssuedCertificate c, Path cert, Path key) throws Exception {
    Files.copy(c.certificateFile(), cert, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(c.privateKeyFile(), key, StandardCopyOption.REPLACE_EXISTING);
  }

  private X509Certificate serverCertificate(int port) throws Exception {
    Socket plain = new Socket("127.0.0.1", port);
    plain.setSoTimeout(10_000);
    plain.getOutputStream().write(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
    InputStream in = plain.getInputStream();
    assertThat(in.read()).isEqualTo('S');
    var ctx = TlsContexts.client(TrustMaterial.load(f.pki.caCertificateFile()), null);
    try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true)) {
      tls.startHandshake();
      return (X509Certificate) tls.getSession().getPeerCertificates()[0];
    }
  }

  private static RouteMetrics awaitMetrics(PgTlsProxy proxy, java.util.function.Predicate<RouteMetrics> ready)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    RouteMetrics m = proxy.metrics().get(0);
    while (!ready.test(m) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      m = proxy.metrics().get(0);
    }
    return m;
  }
}
