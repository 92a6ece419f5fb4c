package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.junit.StartStop;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One listener, routes chosen by the server name each kind of client sends: pgjdbc (SNI derived
 * by the JDK from the host name), node-postgres and psycopg2 (a name separate from the address),
 * openssl on both the SSLRequest and the direct-TLS path. Which backend answers is proven by
 * {@code inet_server_port()}, which route's certificate was served by its subject.
 */
class ServerNameClientsTest {
  private static final Fixture f = Fixture.get();
  private static final PostgresServer second =
      PostgresServer.builder().user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE).build();
  private static final IssuedCertificate certA = f.pki.server("route-a", "a.db.test");
  private static final IssuedCertificate certB = f.pki.server("route-b", "b.db.test");
  private static final IssuedCertificate certDefault = f.pki.server("route-default", "dbhost", "localhost");
  private static final int shared = freePort();
  private static final int strict = freePort();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      route("a", shared, certA, "a.db.test").backend(f.backendAddress()).build(),
      route("b", shared, certB, "b.db.test").backend("127.0.0.1:" + second.port()).build(),
      route("default", shared, certDefault).backend("127.0.0.1:" + f.trusting().port()).build(),
      route("strict-a", strict, certA, "a.db.test").backend(f.backendAddress()).build()), second);

  private static Route.Builder route(String name, int port, IssuedCertificate cert, String... serverNames) {
    Route.Builder b = Route.builder(name).listen("127.0.0.1:" + port)
        .tls(ListenerTls.pem(cert.certificateFile(), cert.privateKeyFile())).backendTls(BackendTls.disabled());
    return serverNames.length == 0 ? b : b.serverNames(serverNames);
  }

  @Test
  void pgjdbcSendsTheDottedHostNameItResolvedAsSniAndNoneForASingleLabel() throws Exception {
    Path hosts = Files.writeString(Files.createTempFile(f.directory, "hosts", ""),
        "127.0.0.1 a.db.test b.db.test dbhost\n");
    assertThat(pgjdbcPort(hosts, "a.db.test")).isEqualTo(f.postgres.port());
    assertThat(pgjdbcPort(hosts, "b.db.test")).isEqualTo(second.port());
    assertThat(pgjdbcPort(hosts, "dbhost")).as("no SNI for a name without a dot: the default route")
        .isEqualTo(f.trusting().port());
  }

  @Test
  void nodePostgresServernameBesideAnIpHostReachesThatNamesRoute() throws Exception {
    ClientTools.Result r = OtherClients.nodePostgres("""
        { host: '127.0.0.1', port: %d, database: '%s', user: '%s', password: '%s', connectionTimeoutMillis: 20000,
          ssl: { servername: 'b.db.test', ca: fs.readFileSync('%s', 'utf8') } }""".formatted(shared,
        Fixture.DATABASE, Fixture.USER, Fixture.PASSWORD, f.pki.caCertificateFile()));
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(Integer.parseInt(r.stdout.strip())).isEqualTo(second.port());
  }

  @Test
  void psycopg2HostNameWithHostaddrSendsTheNameNotTheAddress() throws Exception {
    ClientTools.Result r = OtherClients.psycopg2("host=b.db.test hostaddr=127.0.0.1 port=" + shared + " dbname="
        + Fixture.DATABASE + " user=" + Fixture.USER + " sslmode=verify-full sslrootcert=" + f.pki.caCertificateFile(),
        Fixture.PASSWORD);
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(Integer.parseInt(r.stdout.strip())).isEqualTo(second.port());
  }

  @Test
  void opensslStarttlsPostgresGetsTheNamedRoutesCertificate() throws Exception {
    ClientTools.Result r = OtherClients.sClient("-connect", "127.0.0.1:" + shared, "-starttls", "postgres",
        "-servername", "a.db.test", "-CAfile", f.pki.caCertificateFile().toString(), "-verify_return_error");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout).contains("subject=CN = route-a").contains("Verify return code: 0 (ok)");
  }

  @Test
  void opensslNameNoRouteServesOnAListenerWithoutDefaultGetsUnrecognizedName() throws Exception {
    ClientTools.Result r = OtherClients.sClient("-connect", "127.0.0.1:" + strict, "-starttls", "postgres",
        "-servername", "nobody.test");
    assertThat(r.exitCode).as(r.toString()).isNotZero();
    assertThat(r.stderr).contains("unrecognized name").contains("alert number 112");
    assertThat(r.stdout).doesNotContain("subject=");
  }

  @Test
  void opensslWithoutServerNameGetsTheDefaultRouteOrUnrecognizedNameWithoutOne() throws Exception {
    ClientTools.Result withDefault = OtherClients.sClient("-connect", "127.0.0.1:" + shared, "-starttls", "postgres",
        "-noservername");
    assertThat(withDefault.exitCode).as(withDefault.toString()).isZero();
    assertThat(withDefault.stdout).contains("subject=CN = route-default");
    ClientTools.Result without = OtherClients.sClient("-connect", "127.0.0.1:" + strict, "-starttls", "postgres",
        "-noservername");
    assertThat(without.exitCode).as(without.toString()).isNotZero();
    assertThat(without.stderr).contains("unrecognized name").contains("alert number 112");
  }

  @Test
  void directTlsWithAlpnIsRoutedByNameLikeTheSslRequestPath() throws Exception {
    ClientTools.Result r = OtherClients.sClient("-connect", "127.0.0.1:" + shared, "-servername", "a.db.test",
        "-alpn", "postgresql", "-CAfile", f.pki.caCertificateFile().toString(), "-verify_return_error");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout).contains("subject=CN = route-a").contains("ALPN protocol: postgresql")
        .contains("Verify return code: 0 (ok)");
    ClientTools.Result b = OtherClients.sClient("-connect", "127.0.0.1:" + shared, "-servername", "b.db.test",
        "-alpn", "postgresql");
    assertThat(b.stdout).as(b.toString()).contains("subject=CN = route-b");
  }

  private static int pgjdbcPort(Path hosts, String host) throws Exception {
    ClientTools.Result r = OtherClients.pgjdbc(hosts, "jdbc:postgresql://" + host + ":" + shared + "/"
        + Fixture.DATABASE + "?sslmode=verify-full&channelBinding=disable&sslrootcert=" + f.pki.caCertificateFile(),
        Fixture.USER, Fixture.PASSWORD);
    assertThat(r.exitCode).as(host + ": " + r).isZero();
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
