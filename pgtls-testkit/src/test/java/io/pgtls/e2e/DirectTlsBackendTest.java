package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import io.pgtls.BackendTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.junit.StartStop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The backend leg opened with PostgreSQL 17's direct TLS (ALPN "postgresql", no SSLRequest). */
class DirectTlsBackendTest {
  private static final Fixture f = Fixture.get();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(f.tlsRoute("direct")
      .backendTls(BackendTls.verifyFull(f.pki.caCertificateFile()).directTls()).build()));

  @Test
  void directTlsToPostgres17CarriesTheSession() throws Exception {
    try (Connection c = Fixture.connect(proxy.boundAddress("direct"), f.verifyFull())) {
      assertThat(Fixture.query(c, "select ssl from pg_stat_ssl where pid = pg_backend_pid()")).isEqualTo("t");
      assertThat(Fixture.query(c, "select current_setting('server_version_num')::int >= 170000")).isEqualTo("t");
    }
  }

  @Test
  void directTlsToAPre17ServerFailsWithAHintInsteadOfHanging() throws Exception {
    Path bin = olderServer();
    try (PostgresServer old = PostgresServer.builder().binaries(bin)
            .ssl(f.postgresCertificate.certificateFile(), f.postgresCertificate.privateKeyFile())
            .user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE).start();
        PgTlsProxy p = Fixture.start(f.tlsRoute("direct-old").backend("127.0.0.1:" + old.port())
            .backendTls(BackendTls.verifyFull(f.pki.caCertificateFile()).directTls()).build())) {
      ClientTools.Result r = ClientTools.psql(f.conninfo(p.boundAddress("direct-old"), "verify-full"),
          Fixture.PASSWORD, "select 1");
      assertThat(r.exitCode).isNotZero();
      assertThat(r.stderr).contains("FATAL:  backend 127.0.0.1:" + old.port())
          .contains("HINT:  direct_tls needs PostgreSQL 17 or newer");
    }
  }

  /** Debian's PostgreSQL 15 (or another major below 17) server binaries. */
  private static Path olderServer() throws Exception {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        var found = versions.filter(v -> v.getFileName().toString().matches("1[0-6]"))
            .map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres"))).findFirst();
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    String reason = "no PostgreSQL server older than 17 installed (Debian: apt-get install postgresql)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
    return null;
  }
}
