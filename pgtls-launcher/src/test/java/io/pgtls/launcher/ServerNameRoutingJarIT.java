package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One port, two PostgreSQL servers: the packaged jar with three {@code [[proxy]]} tables on one
 * {@code bind_address}, chosen by the server name psql sends. Two servers, not two databases of
 * one, so that {@code SHOW port} proves which route a name took; names PostgreSQL accepts but the
 * JDK's own SNI parsing refuses (pg_primary, pg_replica, a trailing dot) prove the launcher's JVM
 * property.
 */
class ServerNameRoutingJarIT {
  @TempDir static Path dir;
  private static TestPki pki;
  private static PostgresServer serverA;
  private static PostgresServer serverB;

  @BeforeAll
  static void start() {
    pki = TestPki.create(dir.resolve("pki"));
    serverA = PostgresServer.builder().user("alice", "secret").database("app").start();
    serverB = PostgresServer.builder().user("alice", "secret").database("app").start();
  }

  @AfterAll
  static void stop() {
    for (PostgresServer s : new PostgresServer[] {serverA, serverB}) {
      if (s != null) {
        s.close();
      }
    }
  }

  /** A port free now; routes share a listener only on a fixed port (port 0 gives each its own). */
  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Path config(int port) throws Exception {
    IssuedCertificate a = pki.server("pgtls-a", "a.db.test");
    IssuedCertificate b = pki.server("pgtls-b", "b.db.test");
    IssuedCertificate fallback = pki.server("pgtls-default", "localhost");
    String route = """
        [[proxy]]
          name = "%s"
          [proxy.listener]
          bind_address = "127.0.0.1:%d"
          %s
          server_cert = "%s"
          server_key = "%s"
          [proxy.backend]
          address = "127.0.0.1:%d"
          tls_enabled = false
        """;
    String toml = "[admin]\nbind_address = \"127.0.0.1:0\"\n"
        + route.formatted("a", port, "server_names = [\"a.db.test\"]", a.certificateFile(), a.privateKeyFile(),
            serverA.port())
        + route.formatted("b", port, "server_names = [\"b.db.test\", \"pg_replica\"]", b.certificateFile(),
            b.privateKeyFile(), serverB.port())
        + route.formatted("fallback", port, "", fallback.certificateFile(), fallback.privateKeyFile(), serverA.port());
    return Files.writeString(dir.resolve("sni.toml"), toml);
  }

  private static String showPort(String conninfo) throws Exception {
    Psql.Result r = Psql.run(conninfo + " dbname=app user=alice", "show port");
    assertThat(r.exit()).as(conninfo + ": " + r.output()).isZero();
    return r.output().strip();
  }

  @Test
  void oneListenerRoutesEachServerNameToItsOwnPostgresIncludingNamesTheJdkWouldRefuse() throws Exception {
    int port = freePort();
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", config(port).toString())) {
      assertThat(pgtls.routePort("a")).isEqualTo(port);
      assertThat(pgtls.routePort("b")).isEqualTo(port);
      assertThat(pgtls.routePort("fallback")).isEqualTo(port);
      String a = Integer.toString(serverA.port());
      String b = Integer.toString(serverB.port());
      String verified = " hostaddr=127.0.0.1 port=" + port + " sslmode=verify-full sslrootcert=" + pki.caCertificateFile();
      String encrypted = " hostaddr=127.0.0.1 port=" + port + " sslmode=require";

      assertThat(showPort("host=a.db.test" + verified)).isEqualTo(a);
      assertThat(showPort("host=b.db.test" + verified)).isEqualTo(b);
      // Refused by the JDK's SNIHostName but sent by libpq as written; routed by name or by default.
      assertThat(showPort("host=pg_replica" + encrypted)).isEqualTo(b);
      assertThat(showPort("host=b.db.test." + encrypted)).isEqualTo(b);
      assertThat(showPort("host=pg_primary" + encrypted)).isEqualTo(a);
      assertThat(showPort("host=127.0.0.1 port=" + port + " sslmode=require")).isEqualTo(a);

      pgtls.await("route 'fallback' conn#\\d+ client=[^:]+:\\d+: session user=alice database=app sni=pg_primary "
          + "match=default -> backend 127\\.0\\.0\\.1:" + a);
      pgtls.await("route 'b' conn#\\d+ client=[^:]+:\\d+: session user=alice database=app sni=pg_replica "
          + "match=exact -> backend");
      assertThat(pgtls.output())
          .contains("jdk.tls.server.disableExtensions set to 'server_name'")
          .doesNotContain("such clients fail the handshake"); // the core's build() warning

      String metrics = AdminHttp.get(pgtls.adminPort(), "/metrics").body();
      assertThat(AdminHttp.sample(metrics, "pgtls_server_name_matches_total{route=\"b\",match=\"exact\"}")).isEqualTo(3);
      assertThat(AdminHttp.sample(metrics, "pgtls_server_name_matches_total{route=\"fallback\",match=\"default\"}"))
          .isEqualTo(2);
      assertThat(AdminHttp.sample(metrics, "pgtls_listener_connections_total{listener=\"127.0.0.1:" + port + "\"}"))
          .isGreaterThanOrEqualTo(6);
    }
  }
}
