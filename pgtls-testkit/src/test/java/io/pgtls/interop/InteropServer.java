package io.pgtls.interop;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * One PostgreSQL of the matrix and the pgtls in front of it, started on first use and shared by
 * every client. pgtls has three routes to it: {@code tls} (TLS on both legs, backend verify-full),
 * {@code plain} (TLS to the client, plaintext to PostgreSQL) and {@code mtls} (like plain, but
 * client certificates from the client CA are required), and {@code no-plain-cancel} (like plain,
 * but CancelRequests are honoured only inside TLS).
 */
final class InteropServer implements AutoCloseable {
  static final String USER = "alice";
  static final String PASSWORD = "secret";
  static final String DATABASE = "app";
  static final String TLS = "tls";
  static final String PLAIN = "plain";
  static final String MTLS = "mtls";
  static final String NO_PLAIN_CANCEL = "no-plain-cancel";

  private final String name;
  private final Supplier<PostgresServer.Builder> builder;
  private final String unavailable;
  private PostgresServer postgres;
  private PgTlsProxy proxy;
  private RuntimeException failedStart;

  private InteropServer(String name, Supplier<PostgresServer.Builder> builder, String unavailable) {
    this.name = name;
    this.builder = builder;
    this.unavailable = unavailable;
  }

  static InteropServer of(String name, Supplier<PostgresServer.Builder> builder) {
    return new InteropServer(name, builder, null);
  }

  /** A server the matrix wants but this machine lacks: its tests skip, or fail under CI=true. */
  static InteropServer unavailable(String name, String reason) {
    return new InteropServer(name, null, reason);
  }

  String name() {
    return name;
  }

  /** The running server; the first call starts it (and its proxy). */
  synchronized PostgresServer postgres() {
    if (unavailable != null) {
      Installed.missing(unavailable);
    }
    if (failedStart != null) {
      throw new IllegalStateException(name + " did not start", failedStart);
    }
    if (postgres == null) {
      try {
        start();
      } catch (RuntimeException e) {
        failedStart = e;
        throw e;
      }
    }
    return postgres;
  }

  private void start() {
    InteropPki pki = InteropPki.get();
    postgres = builder.get()
        .ssl(pki.server.certificateFile(), pki.server.privateKeyFile())
        .user(USER, PASSWORD)
        .database(DATABASE)
        .start();
    String backend = "127.0.0.1:" + postgres.port();
    ListenerTls listener = ListenerTls.pem(pki.server.certificateFile(), pki.server.privateKeyFile());
    proxy = PgTlsProxy.builder().name(proxyName()).loops(2)
        .route(Route.builder(TLS).listen("127.0.0.1:0").tls(listener).backend(backend)
            .backendTls(BackendTls.verifyFull(pki.ca.caCertificateFile())).build())
        .route(Route.builder(PLAIN).listen("127.0.0.1:0").tls(listener).backend(backend)
            .backendTls(BackendTls.disabled()).build())
        .route(Route.builder(MTLS).listen("127.0.0.1:0")
            .tls(ListenerTls.pem(pki.server.certificateFile(), pki.server.privateKeyFile())
                .requireClientCertificates(pki.clientCa.caCertificateFile()))
            .backend(backend).backendTls(BackendTls.disabled()).build())
        .route(Route.builder(NO_PLAIN_CANCEL).listen("127.0.0.1:0").tls(listener).backend(backend)
            .backendTls(BackendTls.disabled()).allowPlaintextCancel(false).build())
        .build().start();
  }

  /** "interop-postgresql-16-15-zonky": the log lines of each server's pgtls tell whose they are. */
  private String proxyName() {
    return "interop-" + name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("-$", "");
  }

  /** verify-full against the matrix's CA through {@code route}, without a client certificate. */
  Endpoint endpoint(String route) {
    postgres();
    InteropPki pki = InteropPki.get();
    return new Endpoint("localhost", proxy.boundAddress(route).getPort(), route, DATABASE, USER, PASSWORD, true,
        pki.ca.caCertificateFile(), null, null, null, false);
  }

  /** The same with the user's certificate from the client CA. */
  Endpoint endpointWithCertificate(String route) {
    Endpoint e = endpoint(route);
    InteropPki pki = InteropPki.get();
    Path cert = pki.client.certificateFile();
    return new Endpoint(e.host(), e.port(), route, DATABASE, USER, PASSWORD, true, e.rootCertificate(), cert,
        pki.client.privateKeyFile(), pki.client.pkcs8DerFile(), false);
  }

  /**
   * Returns once PostgreSQL runs a statement containing {@code marker}: a client cancelled from
   * outside (a signal) must not be interrupted before its statement reached the server.
   */
  void awaitRunning(String marker) {
    Properties p = new Properties();
    p.setProperty("user", postgres.superuser());
    p.setProperty("password", postgres.superuserPassword());
    p.setProperty("sslmode", "disable");
    long deadline = System.nanoTime() + 20_000_000_000L;
    try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), p);
        Statement s = c.createStatement()) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where state = 'active' "
            + "and query like '%" + marker + "%' and pid <> pg_backend_pid()")) {
          rs.next();
          if (rs.getInt(1) > 0) {
            return;
          }
        }
        Thread.sleep(50);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot watch " + name + " for " + marker, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    throw new AssertionError("the statement marked " + marker + " never ran on " + name);
  }

  @Override
  public synchronized void close() {
    if (proxy != null) {
      proxy.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }
}
