package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.BackendTls;
import io.pgtls.Route;
import io.pgtls.testkit.junit.StartStop;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cases of the startup-protocol conformance checklist that need exact bytes: raw clients against a
 * real PostgreSQL 17 that trusts them, through a TLS->TLS route. pgtls must pass everything after
 * the first packet through untouched and in order, and leave the judging to the backend.
 */
class ConformanceTest {
  private static final Fixture f = Fixture.get();
  private static final FakeBackend silent = new FakeBackend(new byte[0]);

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> {
    String backend = "127.0.0.1:" + f.trusting().port();
    return List.of(
        Route.builder("tls").listen("127.0.0.1:0").tls(f.listenerTls()).backend(backend)
            .backendTls(BackendTls.verifyFull(f.pki.caCertificateFile())).build(),
        Route.builder("quick-timeout").listen("127.0.0.1:0").tls(f.listenerTls()).backend(backend)
            .backendTls(BackendTls.disabled()).startupTimeout(Duration.ofMillis(500)).build(),
        Route.builder("silent-backend").listen("127.0.0.1:0").tls(f.listenerTls()).backend(silent.address())
            .backendTls(BackendTls.disabled()).build());
  }, silent);

  private static RawTlsClient client() throws Exception {
    return new RawTlsClient(proxy.boundAddress("tls").getPort(), f.pki.caCertificateFile());
  }

  private static byte[] startup(int version, String... pairs) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (String p : pairs) {
      body.writeBytes(p.getBytes(StandardCharsets.UTF_8));
      body.write(0);
    }
    body.write(0);
    return ByteBuffer.allocate(8 + body.size()).putInt(8 + body.size()).putInt(version).put(body.toByteArray()).array();
  }

  private static byte[] query(String sql) {
    byte[] q = (sql + "\0").getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(5 + q.length).put((byte) 'Q').putInt(4 + q.length).put(q).array();
  }

  @Test
  void startupPacketOfTheLargestLegalLengthIsRelayed() throws Exception {
    // 10004 is PostgreSQL's largest length field; pad with a custom placeholder setting.
    byte[] base = startup(196608, "user", Fixture.USER, "database", Fixture.DATABASE, "pgtls.pad", "");
    String pad = "x".repeat(10004 - base.length);
    byte[] packet = startup(196608, "user", Fixture.USER, "database", Fixture.DATABASE, "pgtls.pad", pad);
    assertThat(packet.length).isEqualTo(10004);
    try (RawTlsClient c = client()) {
      c.send(packet);
      c.readUntilReady();
      c.send(query("select length(current_setting('pgtls.pad'))"));
      assertThat(c.readUntilReady()).isEqualTo(1);
    }
  }

  @Test
  void startupMessageWithoutItsTerminatorGetsTheBackendsOwnFatal() throws Exception {
    byte[] packet = startup(196608, "user", Fixture.USER, "database", Fixture.DATABASE);
    byte[] broken = ByteBuffer.allocate(packet.length - 1).putInt(packet.length - 1)
        .put(packet, 4, packet.length - 5).array();
    try (RawTlsClient c = client()) {
      c.send(broken);
      assertThat(c.readError()).contains("C08P01").contains("invalid startup packet layout");
    }
  }

  @Test
  void protocol32AndGreaseAreRelayedWithTheBackendsNegotiateProtocolVersion() throws Exception {
    // PostgreSQL 19 clients "grease" with version 3.9999 and a bogus _pq_ option; a PostgreSQL 17
    // backend answers NegotiateProtocolVersion ('v') and carries on. pgtls must pass both ways.
    try (RawTlsClient c = client()) {
      c.send(startup((3 << 16) | 9999, "user", Fixture.USER, "database", Fixture.DATABASE, "_pq_.pgtls_grease", "1"));
      RawTlsClient.Message first = c.read();
      assertThat(first.type).isEqualTo('v');
      ByteBuffer v = ByteBuffer.wrap(first.body);
      assertThat(v.getInt()).as("newest version the backend supports").isEqualTo(196608);
      assertThat(v.getInt()).as("unrecognised options").isEqualTo(1);
      assertThat(new String(first.body, 8, first.body.length - 9, StandardCharsets.UTF_8)).isEqualTo("_pq_.pgtls_grease");
      c.readUntilReady();
    }
  }

  @Test
  void protocol20StartupIsRefusedInV3Format() throws Exception {
    try (RawTlsClient c = client()) {
      c.send(startup(2 << 16, "user", Fixture.USER));
      assertThat(c.readError()).contains("C0A000").contains("Munsupported frontend protocol 2.0");
    }
  }

  @Test
  void bytesPipelinedBehindTheStartupMessageArriveInOrder() throws Exception {
    try (RawTlsClient c = client()) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.writeBytes(startup(196608, "user", Fixture.USER, "database", Fixture.DATABASE));
      all.writeBytes(query("select 1"));
      all.writeBytes(query("select 2 union all select 3"));
      c.send(all.toByteArray()); // one TLS write: startup and two queries together
      c.readUntilReady(); // authentication
      assertThat(c.readUntilReady()).isEqualTo(1);
      assertThat(c.readUntilReady()).isEqualTo(2);
    }
  }

  @Test
  void aClientThatSendsNothingIsClosedAtTheStartupTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxy.boundAddress("quick-timeout").getPort())) {
      s.setSoTimeout(10_000);
      long start = System.nanoTime();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
    }
  }

  @Test
  void cancelSocketIsClosedPromptlyEvenWhenTheBackendNeverAnswers() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxy.boundAddress("silent-backend").getPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(42).putInt(7).array());
      long start = System.nanoTime();
      assertThat(s.getInputStream().read()).as("EOF, no reply").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void backendFatalReachesTheClientBeforeTheCloseLikePgTerminateBackend() throws Exception {
    try (Connection victim = Fixture.connect(proxy.boundAddress("tls"), props());
        Connection admin = f.connectTrusting()) {
      String pid = Fixture.query(victim, "select pg_backend_pid()");
      Fixture.query(admin, "select pg_terminate_backend(" + pid + ")");
      assertThatThrownBy(() -> Fixture.query(victim, "select 1"))
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isIn("57P01", "08006"));
    }
  }

  @Test
  void clientVanishingWithoutCloseNotifyEndsItsBackendSession() throws Exception {
    String marker = "pgtls-vanish-" + System.nanoTime();
    String count = "select count(*) from pg_stat_activity where application_name = '" + marker + "'";
    try (RawTlsClient c = client()) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.send(query("set application_name = '" + marker + "'"));
      c.readUntilReady();
      try (Connection admin = f.connectTrusting()) {
        assertThat(Fixture.query(admin, count)).as("the session is there before").isEqualTo("1");
      }
      c.abortWithoutCloseNotify();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String sessions = "1";
    while (System.nanoTime() < deadline) {
      try (Connection admin = f.connectTrusting()) {
        sessions = Fixture.query(admin, "select count(*) from pg_stat_activity where application_name = '" + marker + "'");
      }
      if (sessions.equals("0")) {
        break;
      }
      Thread.sleep(50);
    }
    assertThat(sessions).as("backend session ended").isEqualTo("0");
  }

  private static java.util.Properties props() {
    java.util.Properties p = f.verifyFull();
    p.remove("password");
    return p;
  }
}
