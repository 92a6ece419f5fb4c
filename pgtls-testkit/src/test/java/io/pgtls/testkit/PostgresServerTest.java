package io.pgtls.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.security.auth.module.UnixSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

  private static final String INVALID_PASSWORD = "28P01";
  private static final String INVALID_AUTHORIZATION = "28000";

  @TempDir static Path certificates;

  private static TestPki pki;
  private static IssuedCertificate serverCertificate;
  private static PostgresServer postgres;

  @BeforeAll
  static void startServer() {
    pki = TestPki.create(certificates);
    serverCertificate = pki.localhostServer();
    postgres =
        PostgresServer.builder()
            .ssl(serverCertificate.certificateFile(), serverCertificate.privateKeyFile())
            .user("alice", "secret")
            .database("app")
            .start();
  }

  @AfterAll
  static void closeServer() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void acceptsVerifyFullTlsFromPgjdbcAsTheScramUser() throws SQLException {
    try (Connection connection = connect(postgres, "app", "alice", "secret", verifyFull())) {
      assertThat(query(connection, "select ssl from pg_stat_ssl where pid = pg_backend_pid()"))
          .isEqualTo("t");
      assertThat(query(connection, "select current_user")).isEqualTo("alice");
    }
  }

  @Test
  void verifyFullAlsoSucceedsByNameLocalhost() throws SQLException {
    String url = "jdbc:postgresql://localhost:" + postgres.port() + "/app";
    Properties properties = verifyFull();
    properties.setProperty("user", "alice");
    properties.setProperty("password", "secret");

    try (Connection connection = DriverManager.getConnection(url, properties)) {
      assertThat(query(connection, "select ssl from pg_stat_ssl where pid = pg_backend_pid()"))
          .isEqualTo("t");
    }
  }

  @Test
  void passwordsAreStoredAsScramVerifiers() throws SQLException {
    try (Connection connection =
        connect(postgres, "postgres", postgres.superuser(), postgres.superuserPassword(), verifyFull())) {
      assertThat(query(connection, "show password_encryption")).isEqualTo("scram-sha-256");
      assertThat(query(connection, "select rolpassword from pg_authid where rolname = 'alice'"))
          .startsWith("SCRAM-SHA-256$");
      assertThat(query(connection, "select rolpassword from pg_authid where rolname = 'postgres'"))
          .startsWith("SCRAM-SHA-256$");
    }
  }

  @Test
  void wrongPasswordFailsWithInvalidPasswordSqlState() {
    assertThatThrownBy(() -> connect(postgres, "app", "alice", "wrong", verifyFull()).close())
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(INVALID_PASSWORD));
  }

  @Test
  void databaseIsOwnedByTheFirstUser() throws SQLException {
    try (Connection connection = connect(postgres, "app", "alice", "secret", verifyFull())) {
      assertThat(
              query(
                  connection,
                  "select pg_get_userbyid(datdba) from pg_database where datname = current_database()"))
          .isEqualTo("alice");
      // PostgreSQL 15 took CREATE on schema public away from PUBLIC; the owner still has it.
      assertThat(query(connection, "select has_schema_privilege('public', 'CREATE')")).isEqualTo("t");
    }
  }

  @Test
  void startsAsUnprivilegedUserWhenJvmRunsAsRoot() throws Exception {
    long owner = processOwnerUid(postgres.postmasterPid());
    long jvm = new UnixSystem().getUid();

    assertThat(owner).isNotZero();
    if (jvm == 0) {
      assertThat(postgres.osUser()).isIn("postgres", "nobody");
      assertThat(owner).isEqualTo(uidOf(postgres.osUser()));
    } else {
      assertThat(owner).isEqualTo(jvm);
    }
  }

  @Test
  void serverKeyInsideAnOwnerOnlyTempDirIsStillUsable() throws Exception {
    // JUnit's @TempDir is 0700 and root-owned: the server account could not read the key there.
    assertThat(Files.getPosixFilePermissions(certificates).toString()).doesNotContain("OTHERS");
    try (Connection connection = connect(postgres, "app", "alice", "secret", verifyFull())) {
      assertThat(query(connection, "show ssl")).isEqualTo("on");
    }
  }

  @Test
  void listensOnTheIpv6LoopbackWhenItExists() throws SQLException {
    if (!LoopbackPorts.ipv6LoopbackAvailable()) {
      assertThat(postgres.listensOnIpv6()).isFalse();
      return;
    }
    // pgjdbc compares an IP literal with the JDK's rendering of the iPAddress SAN as text, and the
    // JDK renders ::1 as 0:0:0:0:0:0:0:1; only the long form passes verify-full.
    String url = "jdbc:postgresql://[0:0:0:0:0:0:0:1]:" + postgres.port() + "/app";
    Properties properties = verifyFull();
    properties.setProperty("user", "alice");
    properties.setProperty("password", "secret");

    try (Connection connection = DriverManager.getConnection(url, properties)) {
      assertThat(query(connection, "select inet_server_addr()::text")).isEqualTo("::1/128");
    }
  }

  @Test
  void reportsTheVersionOfTheBundledBuildAndItsLibpq() {
    assertThat(postgres.version()).startsWith("17.");
    assertThat(postgres.libDirectory().resolve("libpq.so.5")).exists();
    assertThat(postgres.binDirectory().resolve("postgres")).isExecutable();
  }

  @Test
  void stopThenStartServesAgainOnTheSamePort(@TempDir Path parent) throws SQLException {
    try (PostgresServer server = PostgresServer.builder().dataDirectory(parent).user("bob", "pw").start()) {
      int port = server.port();
      server.stop();
      assertThat(server.state()).isEqualTo(PostgresServer.State.STOPPED);
      assertThatThrownBy(() -> connect(server, "postgres", "bob", "pw", plain()).close())
          .isInstanceOf(SQLException.class);

      server.start();
      assertThat(server.port()).isEqualTo(port);
      try (Connection connection = connect(server, "postgres", "bob", "pw", plain())) {
        assertThat(query(connection, "select 1")).isEqualTo("1");
      }

      long before = server.postmasterPid();
      server.restart();
      assertThat(server.postmasterPid()).isNotEqualTo(before);
      try (Connection connection = connect(server, "postgres", "bob", "pw", plain())) {
        assertThat(query(connection, "select 1")).isEqualTo("1");
      }
    }
  }

  @Test
  void immediateStopIsACrashThatTheNextStartRecoversFrom(@TempDir Path parent) throws Exception {
    try (PostgresServer server = PostgresServer.builder().dataDirectory(parent).user("bob", "pw").start()) {
      server.stop(PostgresServer.ShutdownMode.IMMEDIATE);
      server.start();

      assertThat(Files.readString(server.logFile())).contains("automatic recovery in progress");
      try (Connection connection = connect(server, "postgres", "bob", "pw", plain())) {
        assertThat(query(connection, "select 1")).isEqualTo("1");
      }
    }
  }

  @Test
  void closeRemovesTheDataDirectoryAndLeavesNoPostmasterBehind(@TempDir Path parent) {
    PostgresServer server = PostgresServer.builder().dataDirectory(parent).start();
    long pid = server.postmasterPid();
    Path data = server.dataDirectory();
    assertThat(data.resolve("PG_VERSION")).exists();

    server.close();
    server.close();

    assertThat(data).doesNotExist();
    assertThat(data.getParent()).doesNotExist();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    assertThat(server.state()).isEqualTo(PostgresServer.State.CLOSED);
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void hbaOverrideReplacesTheDefaultSoPlainTextCanBeRefused(@TempDir Path parent)
      throws SQLException {
    try (PostgresServer server =
        PostgresServer.builder()
            .dataDirectory(parent)
            .ssl(serverCertificate.certificateFile(), serverCertificate.privateKeyFile())
            .user("alice", "secret")
            .hba("hostssl all all 127.0.0.1/32 scram-sha-256")
            .start()) {
      assertThatThrownBy(() -> connect(server, "postgres", "alice", "secret", plain()).close())
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(INVALID_AUTHORIZATION));
      try (Connection connection = connect(server, "postgres", "alice", "secret", verifyFull())) {
        assertThat(query(connection, "select ssl from pg_stat_ssl where pid = pg_backend_pid()"))
            .isEqualTo("t");
      }
    }
  }

  @Test
  void clientCertificateAuthenticationWorksWithSslCa(@TempDir Path parent) throws SQLException {
    IssuedCertificate alice = pki.client("alice");
    try (PostgresServer server =
        PostgresServer.builder()
            .dataDirectory(parent)
            .ssl(serverCertificate.certificateFile(), serverCertificate.privateKeyFile())
            .sslCa(pki.caCertificateFile())
            .user("alice", "unused")
            .hba("hostssl all all 127.0.0.1/32 cert")
            .start()) {
      Properties properties = verifyFull();
      properties.setProperty("sslcert", alice.certificateFile().toString());
      properties.setProperty("sslkey", alice.pkcs8DerFile().toString());

      try (Connection connection = connect(server, "postgres", "alice", null, properties)) {
        assertThat(query(connection, "select client_dn from pg_stat_ssl where pid = pg_backend_pid()"))
            .isEqualTo("/CN=alice");
      }
    }
  }

  @Test
  void extraSettingsWinOverTheDefaults(@TempDir Path parent) throws SQLException {
    try (PostgresServer server =
        PostgresServer.builder()
            .dataDirectory(parent)
            .user("bob", "pw")
            .setting("max_connections", "42")
            .setting("application_name", "it's quoted")
            .start()) {
      try (Connection connection = connect(server, "postgres", "bob", "pw", plain())) {
        assertThat(query(connection, "show max_connections")).isEqualTo("42");
        assertThat(query(connection, "show fsync")).isEqualTo("off");
      }
    }
  }

  @Test
  void aBuilderReusedAfterStartDoesNotChangeTheRunningServer(@TempDir Path parent) throws SQLException {
    PostgresServer.Builder builder =
        PostgresServer.builder()
            .dataDirectory(parent)
            .user("bob", "pw")
            .database("first")
            .setting("work_mem", "5MB");
    try (PostgresServer first = builder.build()) {
      first.start();
      builder
          .user("carol", "other")
          .database("second")
          .setting("work_mem", "7MB")
          .hba("host all all 127.0.0.1/32 reject");
      try (PostgresServer second = builder.build()) {
        assertThat(second.database()).isEqualTo("second");
      }

      // Every start writes postgresql.conf's settings and pg_hba.conf again from what the server holds.
      first.restart();
      assertThat(first.database()).isEqualTo("first");
      try (Connection connection = connect(first, "first", "bob", "pw", plain())) {
        assertThat(query(connection, "show work_mem")).isEqualTo("5MB");
      }
    }
  }

  @Test
  void failedStartReportsTheServerLogAndCleansUp(@TempDir Path parent) throws Exception {
    assertThatThrownBy(
            () ->
                PostgresServer.builder()
                    .dataDirectory(parent)
                    .setting("shared_buffers", "lots")
                    .start())
        .isInstanceOf(PostgresServerException.class)
        .hasMessageContaining("invalid value for parameter \"shared_buffers\": \"lots\"");
    try (var left = Files.list(parent)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void installedPostgresRunsBesideTheBundledOne(@TempDir Path parent) throws SQLException {
    Path debian = Path.of("/usr/lib/postgresql/15/bin");
    if (!Files.isExecutable(debian.resolve("postgres"))) {
      // Only a machine with Debian's postgresql-15 can run this; elsewhere it has nothing to check.
      org.junit.jupiter.api.Assumptions.assumeFalse(
          "true".equals(System.getenv("CI")), "postgresql-15 must be installed under CI");
      org.junit.jupiter.api.Assumptions.abort("no PostgreSQL 15 in " + debian);
    }
    try (PostgresServer pg15 =
        PostgresServer.builder()
            .dataDirectory(parent)
            .binaries(debian)
            .ssl(serverCertificate.certificateFile(), serverCertificate.privateKeyFile())
            .user("alice", "secret")
            .start()) {
      assertThat(pg15.version()).startsWith("15.");
      assertThat(pg15.port()).isNotEqualTo(postgres.port());
      try (Connection connection = connect(pg15, "postgres", "alice", "secret", verifyFull())) {
        assertThat(query(connection, "show server_version_num")).startsWith("15");
        assertThat(query(connection, "select ssl from pg_stat_ssl where pid = pg_backend_pid()"))
            .isEqualTo("t");
      }
    }
  }

  private static Properties verifyFull() {
    Properties properties = new Properties();
    properties.setProperty("sslmode", "verify-full");
    properties.setProperty("sslrootcert", pki.caCertificateFile().toString());
    return properties;
  }

  private static Properties plain() {
    Properties properties = new Properties();
    properties.setProperty("sslmode", "disable");
    return properties;
  }

  private static Connection connect(
      PostgresServer server, String database, String user, String password, Properties tls)
      throws SQLException {
    Properties properties = new Properties();
    properties.putAll(tls);
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(server.jdbcUrl(database), properties);
  }

  private static String query(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      assertThat(result.next()).as(sql).isTrue();
      return result.getString(1);
    }
  }

  private static long processOwnerUid(long pid) throws Exception {
    List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
    Matcher uid =
        Pattern.compile("^Uid:\\s+(\\d+)\\s+(\\d+)")
            .matcher(status.stream().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow());
    assertThat(uid.find()).isTrue();
    assertThat(uid.group(2)).as("effective uid").isEqualTo(uid.group(1));
    return Long.parseLong(uid.group(1));
  }

  private static long uidOf(String user) throws Exception {
    Process getent = new ProcessBuilder("getent", "passwd", user).start();
    String entry = new String(getent.getInputStream().readAllBytes()).strip();
    assertThat(getent.waitFor()).isZero();
    return Long.parseLong(entry.split(":")[2]);
  }
}
