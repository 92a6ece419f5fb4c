package io.pgtls.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import io.pgtls.testkit.TlsPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;

/** TlsPostgres in front of the other kinds of PostgreSQL: one that already runs, and a container. */
class TlsPostgresBackendsTest {
  @TempDir Path dir;

  @Test
  void existingServerGetsPgtlsInFrontWithItsOwnVerification() throws Exception {
    TestPki itsCa = TestPki.create(dir.resolve("its-ca"));
    IssuedCertificate itsCert = itsCa.localhostServer();
    try (PostgresServer existing = PostgresServer.builder().ssl(itsCert.certificateFile(), itsCert.privateKeyFile())
            .user("app", "app-password").database("app").start();
        TlsPostgres db = TlsPostgres.builder().existingServer("127.0.0.1", existing.port(), itsCa.caCertificateFile())
            .build()) {
      db.start();
      var p = db.jdbcProperties();
      p.setProperty("channelBinding", "disable"); // pgtls's certificate is not the existing server's
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select inet_server_port(), ssl from pg_stat_ssl where pid = pg_backend_pid()")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(existing.port());
        assertThat(rs.getBoolean(2)).isTrue();
      }
      assertThatThrownBy(db::postgres).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void containerBackendSkipsCleanlyWithoutDocker() {
    // This machine (and CI) has no Docker engine: the container path must abort (skip), not fail.
    boolean docker = DockerClientFactory.instance().isDockerAvailable();
    try (TlsPostgres db = TlsPostgres.builder().testcontainers("postgres:17-alpine").build()) {
      if (docker) {
        db.start();
        assertThat(db.proxyAddress().getPort()).isPositive();
      } else {
        assertThatThrownBy(db::start).isInstanceOf(TestAbortedException.class).hasMessageContaining("Docker engine");
      }
    }
  }
}
