package io.pgtls.testkit;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;

/**
 * The README's first command: throwaway certificates, a real PostgreSQL with ssl=on, and pgtls in
 * front of it with TLS on both legs. Prints a psql line that connects through pgtls with
 * sslmode=verify-full, then runs until Ctrl-C, which stops everything and deletes every file.
 *
 * <p>The proxy presents the same certificate as PostgreSQL, so SCRAM channel binding
 * (SCRAM-SHA-256-PLUS, which psql and pgjdbc pick by default) passes through it end to end.
 */
public final class Sandbox implements AutoCloseable {
  /** The port the sandbox tries first; if it is taken, any free port. */
  static final int PREFERRED_PORT = 6432;

  private final Path directory;
  private final PostgresServer postgres;
  private final PgTlsProxy proxy;
  private final TestPki pki;
  private final String password;

  private Sandbox(Path directory, TestPki pki, PostgresServer postgres, PgTlsProxy proxy, String password) {
    this.directory = directory;
    this.pki = pki;
    this.postgres = postgres;
    this.proxy = proxy;
    this.password = password;
  }

  /** Starts PostgreSQL and pgtls; the caller closes the sandbox. */
  public static Sandbox start() throws IOException {
    Path dir = Files.createTempDirectory("pgtls-sandbox-");
    PostgresServer postgres = null;
    try {
      TestPki pki = TestPki.create(dir.resolve("pki"), "pgtls sandbox CA");
      IssuedCertificate server = pki.server("localhost", "localhost", "127.0.0.1", "::1");
      String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
      postgres = PostgresServer.builder()
          .dataDirectory(dir)
          .ssl(server.certificateFile(), server.privateKeyFile())
          .user("sandbox", password)
          .database("sandbox")
          .start();
      PgTlsProxy proxy = startProxy(server, pki, postgres);
      return new Sandbox(dir, pki, postgres, proxy, password);
    } catch (RuntimeException e) {
      if (postgres != null) {
        postgres.close();
      }
      FileTrees.deleteIfExists(dir);
      throw e;
    }
  }

  private static PgTlsProxy startProxy(IssuedCertificate server, TestPki pki, PostgresServer postgres) {
    for (int port : new int[] {PREFERRED_PORT, 0}) {
      try {
        return PgTlsProxy.builder().name("sandbox").route(Route.builder("sandbox")
                .listen("127.0.0.1:" + port)
                .tls(ListenerTls.pem(server.certificateFile(), server.privateKeyFile()))
                .backend(postgres.host() + ":" + postgres.port())
                .backendTls(BackendTls.verifyFull(pki.caCertificateFile()).serverName("localhost"))
                .build())
            .build().start();
      } catch (PgTlsException e) {
        if (port == 0) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("unreachable");
  }

  public InetSocketAddress proxyAddress() {
    return proxy.boundAddress("sandbox");
  }

  public PostgresServer postgres() {
    return postgres;
  }

  public Path caCertificateFile() {
    return pki.caCertificateFile();
  }

  /** libpq conninfo that connects through pgtls with sslmode=verify-full. */
  public String conninfo() {
    return "host=localhost port=" + proxyAddress().getPort() + " dbname=sandbox user=sandbox password=" + password
        + " sslmode=verify-full sslrootcert=" + pki.caCertificateFile();
  }

  /** A pgjdbc URL that connects through pgtls with sslmode=verify-full. */
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + proxyAddress().getPort() + "/sandbox?user=sandbox&password=" + password
        + "&sslmode=verify-full&sslrootcert=" + pki.caCertificateFile();
  }

  @Override
  public void close() {
    try {
      proxy.close();
    } finally {
      try {
        postgres.close();
      } finally {
        try {
          FileTrees.deleteIfExists(directory);
        } catch (IOException e) {
          System.err.println("pgtls sandbox: could not delete " + directory + ": " + e.getMessage());
        }
      }
    }
  }

  void printInstructions(PrintStream out) {
    out.println();
    out.println("pgtls sandbox is running:");
    out.println("  PostgreSQL " + postgres.version() + " (ssl=on, scram-sha-256) on " + postgres.host() + ":" + postgres.port());
    out.println("  pgtls on " + proxyAddress().getHostString() + ":" + proxyAddress().getPort()
        + " (TLS to clients, TLS verify-full to PostgreSQL)");
    out.println();
    out.println("Connect through pgtls:");
    out.println("  psql \"" + conninfo() + "\"");
    out.println();
    out.println("Press Ctrl-C to stop; everything under " + directory + " is deleted.");
    out.flush();
  }

  public static void main(String[] args) throws Exception {
    Sandbox sandbox = start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("pgtls sandbox: stopping");
      sandbox.close();
      stopped.countDown();
    }, "pgtls-sandbox-stop"));
    sandbox.printInstructions(System.out);
    stopped.await();
  }
}
