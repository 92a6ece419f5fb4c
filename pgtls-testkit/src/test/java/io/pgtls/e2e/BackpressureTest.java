package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.junit.StartStop;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that stops reading in the middle of a large result: the proxy must stop reading the
 * backend too (PostgreSQL then waits in ClientWrite) instead of buffering the result, and deliver
 * every row once the client reads again.
 */
class BackpressureTest {
  private static final int ROWS = 20_000; // 8 KB each: 160 MB
  private static final Fixture f = Fixture.get();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(
      () -> List.of(f.trustingRoute("tls", true).build(), f.trustingRoute("plain", false).build()));

  @ParameterizedTest
  @ValueSource(strings = {"tls", "plain"})
  void aClientThatStopsReadingStopsTheBackendNotGrowsTheProxy(String route) throws Exception {
    try (RawTlsClient client = new RawTlsClient(proxy.boundAddress(route).getPort(), f.pki.caCertificateFile())) {
      client.startup(Fixture.USER, Fixture.DATABASE);
      client.query("select repeat('x', 8000) from generate_series(1, " + ROWS + ") /* backpressure */");

      // The client reads nothing. The backend fills the socket buffers and then must wait.
      String waitEvent = "";
      long maxBuffers = 0;
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (System.nanoTime() < deadline && !"ClientWrite".equals(waitEvent)) {
        maxBuffers = Math.max(maxBuffers, proxy.buffersInUse());
        waitEvent = backendWaitEvent();
        Thread.sleep(50);
      }
      assertThat(waitEvent).as("the backend waits for the proxy to read").isEqualTo("ClientWrite");
      // Two relay buffers and two network buffers per leg: a connection never holds more.
      assertThat(maxBuffers).isLessThanOrEqualTo(6);

      assertThat(client.readUntilReady()).isEqualTo(ROWS);
    }
  }

  private static String backendWaitEvent() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", Fixture.USER);
    p.setProperty("sslmode", "disable");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + f.trusting().port() + "/"
        + Fixture.DATABASE, p)) {
      String w = Fixture.query(c, "select coalesce(max(wait_event), '') from pg_stat_activity "
          + "where query like '%/* backpressure */' and pid <> pg_backend_pid()");
      return w == null ? "" : w;
    }
  }
}
