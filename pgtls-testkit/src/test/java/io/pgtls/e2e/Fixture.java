package io.pgtls.e2e;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * What the end-to-end tests share, started once per test JVM: a throwaway PKI, and a real
 * PostgreSQL with ssl=on and scram-sha-256 whose certificate differs from the proxy's.
 */
final class Fixture {
  static final String USER = "alice";
  static final String PASSWORD = "secret";
  static final String DATABASE = "app";

  private static Fixture instance;

  final Path directory;
  final TestPki pki;
  final IssuedCertificate postgresCertificate;
  final IssuedCertificate proxyCertificate;
  final PostgresServer postgres;

  private Fixture() throws IOException {
    directory = Files.createTempDirectory("pgtls-e2e-");
    pki = TestPki.create(directory.resolve("pki"));
    postgresCertificate = pki.server("postgres", "localhost", "127.0.0.1", "::1");
    proxyCertificate = pki.server("pgtls", "localhost", "127.0.0.1", "::1");
    postgres = PostgresServer.builder()
        .ssl(postgresCertificate.certificateFile(), postgresCertificate.privateKeyFile())
        .user(USER, PASSWORD)
        .database(DATABASE)
        .start();
    Runtime.getRuntime().addShutdownHook(new Thread(postgres::close));
  }

  private PostgresServer trusting;

  /**
   * A second PostgreSQL, with the same certificate, that trusts every local connection: for raw
   * clients that speak only the startup messages a test needs, without SCRAM.
   */
  synchronized PostgresServer trusting() {
    if (trusting == null) {
      trusting = PostgresServer.builder()
          .ssl(postgresCertificate.certificateFile(), postgresCertificate.privateKeyFile())
          .user(USER, PASSWORD)
          .database(DATABASE)
          .hba("host all all 127.0.0.1/32 trust", "host all all ::1/128 trust")
          .start();
      Runtime.getRuntime().addShutdownHook(new Thread(trusting::close));
    }
    return trusting;
  }

  /** A route in front of {@link #trusting()}, over TLS or in plaintext toward it. */
  io.pgtls.Route.Builder trustingRoute(String name, boolean backendTls) {
    return io.pgtls.Route.builder(name).listen("127.0.0.1:0").tls(listenerTls())
        .backend("127.0.0.1:" + trusting().port())
        .backendTls(backendTls ? BackendTls.verifyFull(pki.caCertificateFile()) : BackendTls.disabled());
  }

  /** A direct plaintext connection to {@link #trusting()}, for checks behind the proxy's back. */
  Connection connectTrusting() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("sslmode", "disable");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + trusting().port() + "/" + DATABASE, p);
  }

  static synchronized Fixture get() {
    if (instance == null) {
      try {
        instance = new Fixture();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  String backendAddress() {
    return "127.0.0.1:" + postgres.port();
  }

  ListenerTls listenerTls() {
    return ListenerTls.pem(proxyCertificate.certificateFile(), proxyCertificate.privateKeyFile());
  }

  /** A TLS route to the fixture's PostgreSQL, verified against the test CA. */
  Route.Builder tlsRoute(String name) {
    return Route.builder(name).listen("127.0.0.1:0").tls(listenerTls()).backend(backendAddress())
        .backendTls(BackendTls.verifyFull(pki.caCertificateFile()));
  }

  /** A plaintext-backend route to the fixture's PostgreSQL. */
  Route.Builder plainRoute(String name) {
    return Route.builder(name).listen("127.0.0.1:0").tls(listenerTls()).backend(backendAddress())
        .backendTls(BackendTls.disabled());
  }

  static PgTlsProxy start(Route... routes) {
    PgTlsProxy.Builder b = PgTlsProxy.builder().name("e2e").loops(2);
    for (Route r : routes) {
      b.route(r);
    }
    return b.build().start();
  }

  /** pgjdbc properties for sslmode=verify-full against the test CA. */
  Properties verifyFull() {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", PASSWORD);
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", pki.caCertificateFile().toString());
    // The proxy's certificate differs from the backend's, so SCRAM channel binding cannot pass a
    // TLS->TLS route; the protocol work handles it properly. Plaintext-backend routes are unaffected.
    p.setProperty("channelBinding", "disable");
    return p;
  }

  static String url(InetSocketAddress a) {
    return "jdbc:postgresql://localhost:" + a.getPort() + "/" + DATABASE;
  }

  static Connection connect(InetSocketAddress a, Properties p) throws SQLException {
    return DriverManager.getConnection(url(a), p);
  }

  Connection connectDirect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + postgres.port() + "/" + DATABASE, verifyFull());
  }

  static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** libpq conninfo for psql through {@code a}. */
  String conninfo(InetSocketAddress a, String sslmode) {
    return "host=localhost port=" + a.getPort() + " dbname=" + DATABASE + " user=" + USER + " sslmode=" + sslmode
        + " sslrootcert=" + pki.caCertificateFile();
  }
}
