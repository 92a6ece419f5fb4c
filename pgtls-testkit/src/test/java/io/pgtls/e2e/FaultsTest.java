package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.PgTlsProxy;
import io.pgtls.testkit.PostgresServer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults on either side: each ends in a clear error or a clean close, never a hang, and afterwards
 * the proxy holds no connection and no pooled buffer.
 */
class FaultsTest {
  private static final Logger log = LoggerFactory.getLogger(FaultsTest.class);
  private final Fixture f = Fixture.get();

  private PostgresServer ownBackend() {
    return PostgresServer.builder()
        .ssl(f.postgresCertificate.certificateFile(), f.postgresCertificate.privateKeyFile())
        .user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE).start();
  }

  @Test
  void backendKilledMidQueryGivesTheClientAnErrorNotAHang() throws Exception {
    try (PostgresServer pg = ownBackend();
        PgTlsProxy proxy = Fixture.start(f.tlsRoute("kill").backend("127.0.0.1:" + pg.port()).build());
        Connection c = Fixture.connect(proxy.boundAddress("kill"), f.verifyFull());
        Statement s = c.createStatement()) {
      Thread killer = new Thread(() -> {
        sleep(500);
        pg.stop(PostgresServer.ShutdownMode.IMMEDIATE);
      });
      killer.start();
      long start = System.nanoTime();
      assertThatThrownBy(() -> s.execute("select pg_sleep(60)")).isInstanceOf(SQLException.class);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      log.info("client saw the error {} ms after the query started (backend killed at 500 ms)", millis);
      assertThat(Duration.ofMillis(millis)).as("no hang").isLessThan(Duration.ofSeconds(20));
      killer.join();
      assertNothingLeft(proxy);
    }
  }

  @Test
  void backendRestartedWhileClientsReconnectServesThemAgain() throws Exception {
    try (PostgresServer pg = ownBackend();
        PgTlsProxy proxy = Fixture.start(f.tlsRoute("restart").backend("127.0.0.1:" + pg.port()).build())) {
      pg.stop();
      assertThatThrownBy(() -> Fixture.connect(proxy.boundAddress("restart"), f.verifyFull()).close())
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getMessage()).contains("could not connect to backend"));
      pg.start();
      try (Connection c = Fixture.connect(proxy.boundAddress("restart"), f.verifyFull())) {
        assertThat(Fixture.query(c, "select 'back'")).isEqualTo("back");
      }
      assertNothingLeft(proxy);
    }
  }

  @Test
  void clientVanishingMidHandshakeLeavesNothingBehind() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("mid-handshake").build())) {
      for (int i = 0; i < 20; i++) {
        try (Socket s = new Socket("127.0.0.1", proxy.boundAddress("mid-handshake").getPort())) {
          OutputStream out = s.getOutputStream();
          out.write(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
          assertThat(s.getInputStream().read()).isEqualTo('S');
          out.write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00}); // the start of a ClientHello
          out.flush();
        }
      }
      assertNothingLeft(proxy);
    }
  }

  @Test
  void clientVanishingMidQueryEndsItsBackendSession() throws Exception {
    String marker = "pgtls-mid-query-" + System.nanoTime();
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("mid-query").backend("127.0.0.1:" + f.trusting().port()).build())) {
      RawTlsClient c = new RawTlsClient(proxy.boundAddress("mid-query").getPort(), f.pki.caCertificateFile());
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select pg_sleep(30) /* " + marker + " */");
      awaitSessions(marker, 1);
      c.abortWithoutCloseNotify();
      c.close();
      // PostgreSQL notices a vanished client only when it next writes; the proxy's FIN on the
      // backend leg ends the wait at the sleep's end at the latest. What must not stay is the
      // proxy's side of the connection.
      assertNothingLeft(proxy);
    }
  }

  @Test
  void clientVanishingMidCopyEndsItsBackendSession() throws Exception {
    String marker = "pgtls-mid-copy-" + System.nanoTime();
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("mid-copy").backend("127.0.0.1:" + f.trusting().port()).build())) {
      RawTlsClient c = new RawTlsClient(proxy.boundAddress("mid-copy").getPort(), f.pki.caCertificateFile());
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("set application_name = '" + marker + "'");
      c.readUntilReady();
      c.query("create temp table t (n int, s text)");
      c.readUntilReady();
      c.query("copy t from stdin");
      assertThat(c.read().type).as("CopyInResponse").isEqualTo('G');
      for (int i = 0; i < 1000; i++) {
        byte[] row = (i + "\trow " + i + "\n").getBytes(StandardCharsets.UTF_8);
        c.send(ByteBuffer.allocate(5 + row.length).put((byte) 'd').putInt(4 + row.length).put(row).array());
      }
      c.abortWithoutCloseNotify();
      c.close();
      awaitApplicationSessions(marker, 0);
      assertNothingLeft(proxy);
    }
  }

  private void awaitSessions(String marker, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String n = "";
    while (System.nanoTime() < deadline) {
      try (Connection admin = f.connectTrusting()) {
        n = Fixture.query(admin, "select count(*) from pg_stat_activity where query like '%" + marker + "%' "
            + "and pid <> pg_backend_pid()");
      }
      if (n.equals(Integer.toString(expected))) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(n).isEqualTo(Integer.toString(expected));
  }

  private void awaitApplicationSessions(String marker, int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String n = "";
    while (System.nanoTime() < deadline) {
      try (Connection admin = f.connectTrusting()) {
        n = Fixture.query(admin, "select count(*) from pg_stat_activity where application_name = '" + marker + "'");
      }
      if (n.equals(Integer.toString(expected))) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(n).as("backend sessions left").isEqualTo(Integer.toString(expected));
  }

  /** The leak check: every connection closed and every pooled buffer returned. */
  static void assertNothingLeft(PgTlsProxy proxy) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while ((proxy.activeConnections() > 0 || proxy.buffersInUse() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(proxy.activeConnections()).as("open connections").isZero();
    assertThat(proxy.buffersInUse()).as("pooled buffers not returned").isZero();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
