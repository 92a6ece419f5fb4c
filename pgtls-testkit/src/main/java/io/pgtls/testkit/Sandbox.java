package io.pgtls.testkit;

import io.pgtls.HostPort;
import java.io.PrintStream;
import java.net.InetSocketAddress;
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
 * (SCRAM-SHA-256-PLUS, which psql and pgjdbc pick by default) passes through it end to end. It is
 * a {@link TlsPostgres} on a fixed port, with a printed connection line and a main method.
 */
public final class Sandbox implements AutoCloseable {
  /** The port the sandbox tries first; if it is taken, any free port. */
  static final int PREFERRED_PORT = 6432;

  private final TlsPostgres db;

  private Sandbox(TlsPostgres db) {
    this.db = db;
  }

  /** Starts PostgreSQL and pgtls; the caller closes the sandbox. */
  public static Sandbox start() {
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
    TlsPostgres db = TlsPostgres.builder().user("sandbox", password).database("sandbox")
        .preferredPort(PREFERRED_PORT).naming("pgtls-sandbox-", "pgtls sandbox CA").build();
    db.start();
    return new Sandbox(db);
  }

  public InetSocketAddress proxyAddress() {
    return db.proxyAddress();
  }

  public PostgresServer postgres() {
    return db.postgres();
  }

  public Path caCertificateFile() {
    return db.caCertificateFile();
  }

  /** libpq conninfo that connects through pgtls with sslmode=verify-full. */
  public String conninfo() {
    return "host=localhost port=" + proxyAddress().getPort() + " dbname=" + db.database() + " user=" + db.user()
        + " password=" + db.password() + " sslmode=verify-full sslrootcert=" + caCertificateFile();
  }

  /** A pgjdbc URL that connects through pgtls with sslmode=verify-full. */
  public String jdbcUrl() {
    return db.jdbcUrl() + "&user=" + db.user() + "&password=" + db.password();
  }

  @Override
  public void close() {
    db.close();
  }

  void printInstructions(PrintStream out) {
    PostgresServer postgres = db.postgres();
    out.println();
    out.println("pgtls sandbox is running:");
    out.println("  PostgreSQL " + postgres.version() + " (ssl=on, scram-sha-256) on " + postgres.host() + ":" + postgres.port());
    out.println("  pgtls on " + HostPort.format(proxyAddress())
        + " (TLS to clients, TLS verify-full to PostgreSQL)");
    out.println();
    out.println("Connect through pgtls:");
    out.println("  psql \"" + conninfo() + "\"");
    out.println();
    out.println("Press Ctrl-C to stop; everything under " + db.directory() + " is deleted.");
    out.flush();
  }

  public static void main(String[] args) throws Exception {
    // A process of its own, so it may do what the launcher does: leave the TLS server_name to pgtls
    // (the JDK's engine refuses names such as pg_primary; see ServerNameParsing in pgtls-core). Too
    // late when the JVM that runs this main has used TLS already; pgtls then says so at start.
    if (System.getProperty("jdk.tls.server.disableExtensions") == null) {
      System.setProperty("jdk.tls.server.disableExtensions", "server_name");
    }
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
