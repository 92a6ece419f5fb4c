package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.PgTlsProxy;
import io.pgtls.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A backend that listens on a Unix-domain socket only as far as pgtls is concerned: the route's
 * backend is the socket file, the client's leg is TLS (verify-full), the backend's leg plaintext,
 * as PostgreSQL never speaks TLS over a Unix-domain socket.
 */
class UnixSocketBackendTest {
  private static final Fixture f = Fixture.get();

  private static Path socketDirectory;
  private static PostgresServer postgres;
  private static PgTlsProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    // Short, below java.io.tmpdir: the socket path must fit the kernel's 108-byte sun_path, and
    // the server's account (not root) must be able to reach the directory.
    socketDirectory = Files.createTempDirectory("pgtls-sock-");
    postgres = PostgresServer.builder().unixSocketDirectory(socketDirectory)
        .user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE).start();
    proxy = Fixture.start(f.plainRoute("local").backend(postgres.unixSocket().orElseThrow().toString()).build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (socketDirectory != null) {
      try (Stream<Path> tree = Files.walk(socketDirectory)) {
        for (Path each : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(each);
        }
      }
    }
  }

  @Test
  void psqlOverTlsReachesTheBackendThroughItsSocketNotTcp() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(proxy.boundAddress("local"), "verify-full"),
        Fixture.PASSWORD, "select 1; select inet_server_addr() is null; "
            + "select client_addr is null from pg_stat_activity where pid = pg_backend_pid(); "
            + "select ssl from pg_stat_ssl where pid = pg_backend_pid()");

    assertThat(r.exitCode).as(r.toString()).isZero();
    // inet_server_addr() and the session's client_addr are NULL on a Unix-domain socket connection
    // (show unix_socket_directories needs pg_read_all_settings, which the test's user lacks).
    assertThat(r.stdout.lines()).containsExactly("1", "t", "t", "f");
  }

  @Test
  void pgjdbcOverTlsReachesTheBackendThroughTheSameRoute() throws Exception {
    try (Connection c = Fixture.connect(proxy.boundAddress("local"), f.verifyFull())) {
      assertThat(Fixture.query(c, "select inet_server_addr() is null")).isEqualTo("t");
      assertThat(Fixture.query(c, "select current_user")).isEqualTo(Fixture.USER);
    }
  }

  @Test
  void aMissingSocketFileIsReportedToTheClientWithItsPath() throws Exception {
    Path missing = socketDirectory.resolve(".s.PGSQL.1");
    try (PgTlsProxy p = Fixture.start(f.plainRoute("gone").backend(missing.toString()).build())) {
      ClientTools.Result r = ClientTools.psql(f.conninfo(p.boundAddress("gone"), "verify-full"),
          Fixture.PASSWORD, "select 1");

      assertThat(r.exitCode).isNotZero();
      assertThat(r.stderr).as(r.toString())
          .contains("could not connect to backend " + missing + ": No such file or directory");
    }
  }
}
