package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import io.pgtls.testkit.junit.StartStop;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two routes on one listener, each requiring client certificates from its own CA: the client CA
 * that decides is the one of the route the server name chose, not the listener's first route's.
 */
class PerRouteClientCertificatesTest {
  private static final Fixture f = Fixture.get();
  private static final TestPki caA = TestPki.create(f.directory.resolve("client-ca-a"), "client CA A");
  private static final TestPki caB = TestPki.create(f.directory.resolve("client-ca-b"), "client CA B");
  private static final IssuedCertificate aliceA = caA.client(Fixture.USER);
  private static final IssuedCertificate aliceB = caB.client(Fixture.USER);
  private static final IssuedCertificate names = f.pki.server("mtls-names", "a.db.test", "b.db.test");
  private static final int shared = freePort();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      route("a", caA, "a.db.test"), route("b", caB, "b.db.test")));

  private static Route route(String name, TestPki clientCa, String serverName) {
    return Route.builder(name).listen("127.0.0.1:" + shared).serverNames(serverName)
        .tls(ListenerTls.pem(names.certificateFile(), names.privateKeyFile())
            .requireClientCertificates(clientCa.caCertificateFile()))
        .backend(f.backendAddress()).backendTls(BackendTls.disabled()).build();
  }

  @Test
  void aCertificateFromRouteAsCaIsAcceptedOnAAndRefusedOnB() throws Exception {
    assertAccepted("a.db.test", aliceA);
    assertRefused("b.db.test", "b", aliceA);
  }

  @Test
  void aCertificateFromRouteBsCaIsAcceptedOnBAndRefusedOnA() throws Exception {
    assertAccepted("b.db.test", aliceB);
    assertRefused("a.db.test", "a", aliceB);
  }

  private static void assertAccepted(String host, IssuedCertificate cert) throws Exception {
    ClientTools.Result r = psql(host, cert);
    assertThat(r.exitCode).as(host + " with " + cert + ": " + r).isZero();
    assertThat(r.stdout.strip()).isEqualTo(Fixture.USER);
  }

  private static void assertRefused(String host, String route, IssuedCertificate cert) throws Exception {
    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result r = psql(host, cert);
      assertThat(r.exitCode).as(host + " with " + cert + ": " + r).isNotZero();
      assertThat(r.stderr).contains("SSL error").doesNotContain("FATAL");
      assertThat(log.awaitLine("TLS handshake with the client failed")).containsPattern("route '" + route
          + "' conn#\\d+ [^\\n]*: TLS handshake with the client failed: the client's certificate is not signed by "
          + "this route's client_ca");
    }
  }

  private static ClientTools.Result psql(String host, IssuedCertificate cert) throws Exception {
    return ClientTools.psql("host=" + host + " hostaddr=127.0.0.1 port=" + shared + " dbname=" + Fixture.DATABASE
        + " user=" + Fixture.USER + " sslmode=verify-full sslrootcert=" + f.pki.caCertificateFile() + " sslcert="
        + cert.certificateFile() + " sslkey=" + cert.privateKeyFile(), Fixture.PASSWORD, "select current_user");
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
