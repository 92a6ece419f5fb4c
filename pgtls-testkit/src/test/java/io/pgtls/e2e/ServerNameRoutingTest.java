package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.junit.StartStop;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * One listener in front of two PostgreSQL servers, the route chosen by the host name psql
 * connects with (TLS SNI); proven by which server answers {@code inet_server_port()}.
 */
class ServerNameRoutingTest {
  private static final Fixture f = Fixture.get();
  private static final PostgresServer second =
      PostgresServer.builder().user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE).build();
  private static final IssuedCertificate names = f.pki.server("sni", "a.db.test", "b.db.test", "*.tenants.test",
      "pg_primary", "localhost");
  private static final int shared = freePort();
  private static final int strict = freePort();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      route("a", shared, "a.db.test").backend(f.backendAddress())
          .backendTls(BackendTls.verifyFull(f.pki.caCertificateFile())).build(),
      route("b", shared, "b.db.test", "*.tenants.test").backend("127.0.0.1:" + second.port()).build(),
      route("no-name", shared, "no_sni").backend("127.0.0.1:" + second.port()).build(),
      route("default", shared).backend(f.backendAddress()).build(),
      route("only-c", strict, "c.db.test").backend(f.backendAddress()).build()), second);

  private static Route.Builder route(String name, int port, String... serverNames) {
    return Route.builder(name).listen("127.0.0.1:" + port).serverNames(serverNames)
        .tls(ListenerTls.pem(names.certificateFile(), names.privateKeyFile())).backendTls(BackendTls.disabled());
  }

  @Test
  void eachHostNameReachesItsOwnBackendThroughOnePort() throws Exception {
    assertThat(port("host=a.db.test sslmode=verify-full")).isEqualTo(f.postgres.port());
    assertThat(port("host=b.db.test sslmode=verify-full")).isEqualTo(second.port());
  }

  @Test
  void libpq17ReachesEachBackendByNameOnBothTlsPaths() throws Exception {
    // libpq 17 from the zonky archive: the SSLRequest path, and direct TLS (its ClientHello first).
    assertThat(port17("host=a.db.test sslmode=verify-full sslnegotiation=postgres")).isEqualTo(f.postgres.port());
    assertThat(port17("host=b.db.test sslmode=verify-full sslnegotiation=direct")).isEqualTo(second.port());
  }

  @Test
  void aWildcardServesOneLabelOnlyAndNamesMatchWhateverTheirCase() throws Exception {
    assertThat(port("host=x.tenants.test sslmode=verify-full")).isEqualTo(second.port());
    assertThat(port("host=x.y.tenants.test sslmode=require")).as("two labels: the default route")
        .isEqualTo(f.postgres.port());
    assertThat(port("host=tenants.test sslmode=require")).as("the suffix alone: the default route")
        .isEqualTo(f.postgres.port());
    assertThat(port("host=B.DB.TEST sslmode=verify-full")).isEqualTo(second.port());
  }

  @Test
  void namesTheJdkRefusesButPostgresqlAcceptsConnect() throws Exception {
    assertThat(port("host=a.db.test. sslmode=require")).as("a trailing dot matches the name without it")
        .isEqualTo(f.postgres.port());
    assertThat(port("host=pg_primary sslmode=require")).as("an underscore, as Docker Compose names have")
        .isEqualTo(f.postgres.port());
  }

  @Test
  void clientsWithoutAServerNameTakeTheNoSniRoute() throws Exception {
    assertThat(port("host=a.db.test sslsni=0 sslmode=require")).isEqualTo(second.port());
    assertThat(port("host=127.0.0.1 sslmode=require")).as("libpq sends no SNI for an IP address")
        .isEqualTo(second.port());
  }

  @Test
  void aNameNoRouteServesEndsTheHandshakeWithUnrecognizedName() throws Exception {
    ClientTools.Result r = ClientTools.psql("host=d.db.test hostaddr=127.0.0.1 port=" + strict + " dbname="
        + Fixture.DATABASE + " user=" + Fixture.USER + " sslmode=require", Fixture.PASSWORD, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("unrecognized name");
    assertThat(port("host=c.db.test sslmode=require", strict)).isEqualTo(f.postgres.port());
  }

  @Test
  void psqlCtrlCOnASessionRoutedByNameCancelsTheQueryOnThatRoutesBackend() throws Exception {
    // psql 15 sends its CancelRequest in plaintext, without a server name: only the key it was
    // given can lead it to backend B rather than to the default route's.
    String conninfo = "host=b.db.test hostaddr=127.0.0.1 port=" + shared + " dbname=" + Fixture.DATABASE + " user="
        + Fixture.USER + " sslmode=verify-full sslrootcert=" + f.pki.caCertificateFile();
    ProcessBuilder pb = new ProcessBuilder(ClientTools.require("psql"), "-X", "-d", conninfo, "-c",
        "select pg_sleep(20)");
    pb.environment().put("PGPASSWORD", Fixture.PASSWORD);
    pb.redirectErrorStream(true);
    Process psql = pb.start();
    try {
      awaitQueryRunning();
      new ProcessBuilder("kill", "-INT", Long.toString(psql.pid())).start().waitFor();
      assertThat(psql.waitFor(15, TimeUnit.SECONDS)).as("psql ended well before pg_sleep(20)").isTrue();
      assertThat(new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("canceling statement due to user request");
    } finally {
      psql.destroyForcibly();
    }
  }

  @Test
  void libpq17sOwnCancelInsideTlsOnASessionRoutedByNameCancelsOnThatRoutesBackend() throws Exception {
    // PQcancelCreate (libpq 17) sends the CancelRequest inside TLS, with the session's server name.
    Path program = libpq17Cancel();
    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result r = ClientTools.run(Map.of("PGPASSWORD", Fixture.PASSWORD, "LD_LIBRARY_PATH",
          f.postgres.libDirectory().toString()), program.toString(), full("host=b.db.test sslmode=verify-full", shared));
      assertThat(r.exitCode).as(r.stderr).isZero();
      assertThat(r.stdout.strip()).as("the query ended cancelled").isEqualTo("57014");
      assertThat(log.awaitLine("CancelRequest (inside TLS) forwarded")).containsPattern(
          "route 'b' conn#\\d+ client=[^ ]+: CancelRequest \\(inside TLS\\) forwarded to backend 127\\.0\\.0\\.1:"
              + second.port());
    }
  }

  /** The libpq 17 cancel program, compiled once per build against the embedded archive's libpq. */
  private static synchronized Path libpq17Cancel() throws Exception {
    Path out = Path.of("target", "libpq17-cancel", "libpq17_cancel");
    if (Files.isExecutable(out)) {
      return out;
    }
    Files.createDirectories(out.getParent());
    Path source = out.resolveSibling("libpq17_cancel.c");
    try (InputStream in = ServerNameRoutingTest.class.getResourceAsStream("libpq17_cancel.c")) {
      Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
    }
    String lib = f.postgres.libDirectory().toString();
    ClientTools.Result r = ClientTools.run(Map.of(), requireCompiler(), "-O2", "-o", out.toString(), source.toString(),
        "-L" + lib, "-l:libpq.so.5");
    assertThat(r.exitCode).as(r.stderr).isZero();
    return out;
  }

  private static String requireCompiler() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir.isEmpty() ? "." : dir, "gcc"))) {
        return Path.of(dir, "gcc").toString();
      }
    }
    String reason = "gcc is not installed (Debian: apt-get install gcc libc6-dev); .ci/run installs it";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    Assumptions.abort(reason);
    return null;
  }

  /** Waits (at most 10 s) until backend B runs the test's pg_sleep. */
  private static void awaitQueryRunning() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + second.port() + "/"
        + Fixture.DATABASE, Fixture.USER, Fixture.PASSWORD)) {
      for (int i = 0; i < 200; i++) {
        if (Fixture.query(c, "select count(*) from pg_stat_activity where query = 'select pg_sleep(20)'").equals("1")) {
          return;
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the query never started on backend B");
  }

  private static int port(String conninfo) throws Exception {
    return port(conninfo, shared);
  }

  private static int port17(String conninfo) throws Exception {
    ClientTools.Result r = ClientTools.run(Map.of("PGPASSWORD", Fixture.PASSWORD,
        "LD_LIBRARY_PATH", f.postgres.libDirectory().toString()),
        ClientTools.require("psql"), "-X", "-A", "-t", "-d", full(conninfo, shared), "-c", "select inet_server_port()");
    assertThat(r.exitCode).as(r.stderr).isZero();
    return Integer.parseInt(r.stdout.strip());
  }

  private static String full(String conninfo, int listenPort) {
    return conninfo + (conninfo.contains("host=127.") ? "" : " hostaddr=127.0.0.1") + " port=" + listenPort
        + " dbname=" + Fixture.DATABASE + " user=" + Fixture.USER + " sslrootcert=" + f.pki.caCertificateFile()
        + " channel_binding=disable";
  }

  private static int port(String conninfo, int listenPort) throws Exception {
    ClientTools.Result r = ClientTools.psql(full(conninfo, listenPort), Fixture.PASSWORD, "select inet_server_port()");
    assertThat(r.exitCode).as(r.stderr).isZero();
    return Integer.parseInt(r.stdout.strip());
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
