package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import io.pgtls.BackendTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication connections through pgtls: physical (pg_basebackup streams a whole cluster and its
 * WAL over CopyBoth) and logical (replication=database). Debian's PostgreSQL 15 server, since its
 * pg_basebackup refuses newer servers.
 */
class ReplicationTest {
  @TempDir static Path dir;
  private static Fixture f;
  private static Path bin;
  private static PostgresServer pg15;
  private static PgTlsProxy proxy;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.get();
    bin = debianServer();
    pg15 = PostgresServer.builder().binaries(bin)
        .ssl(f.postgresCertificate.certificateFile(), f.postgresCertificate.privateKeyFile())
        .user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE)
        .hba("host all all 127.0.0.1/32 scram-sha-256", "host replication all 127.0.0.1/32 scram-sha-256")
        .start();
    Properties su = new Properties();
    su.setProperty("user", pg15.superuser());
    su.setProperty("password", pg15.superuserPassword());
    su.setProperty("sslmode", "disable");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg15.port() + "/postgres", su);
        Statement s = c.createStatement()) {
      s.execute("alter role " + Fixture.USER + " replication");
    }
    proxy = Fixture.start(Route.builder("tls").listen("127.0.0.1:0").tls(f.listenerTls())
        .backend("127.0.0.1:" + pg15.port()).backendTls(BackendTls.verifyFull(f.pki.caCertificateFile())).build());
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (pg15 != null) {
      pg15.close();
    }
  }

  @Test
  void pgBasebackupStreamsAWholeClusterThroughPgtls() throws Exception {
    Path target = dir.resolve("backup");
    ClientTools.Result r = ClientTools.run(Map.of("PGPASSWORD", Fixture.PASSWORD),
        bin.resolve("pg_basebackup").toString(), "-d",
        f.conninfo(proxy.boundAddress("tls"), "verify-full") + " channel_binding=disable",
        "-D", target.toString(), "-X", "stream", "-c", "fast", "--no-sync");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(target.resolve("PG_VERSION")).content().startsWith("15");
    assertThat(target.resolve("backup_manifest")).exists();
    try (Stream<Path> wal = Files.list(target.resolve("pg_wal"))) {
      assertThat(wal.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}"))).isNotEmpty();
    }
  }

  @Test
  void logicalReplicationConnectionRunsReplicationCommands() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(proxy.boundAddress("tls"), "verify-full")
        + " channel_binding=disable replication=database options='-c application_name=pgtls-repl'",
        Fixture.PASSWORD, "IDENTIFY_SYSTEM");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).matches("\\d+\\|1\\|[0-9A-F]+/[0-9A-F]+\\|" + Fixture.DATABASE);
  }

  private static Path debianServer() throws Exception {
    Path root = Path.of("/usr/lib/postgresql/15/bin");
    if (Files.isExecutable(root.resolve("postgres")) && Files.isExecutable(root.resolve("pg_basebackup"))) {
      return root;
    }
    String reason = "PostgreSQL 15 server and pg_basebackup are not installed (Debian: apt-get install postgresql)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
    return null;
  }
}
