package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import io.pgtls.testkit.junit.StartStop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Client certificate revocation lists, checked on every handshake and read again on reload. */
class ClientRevocationTest {
  private static final Fixture f = Fixture.get();
  private static final TestPki users = TestPki.create(f.directory.resolve("crl-ca"), "CRL CA");
  private static final IssuedCertificate alice = users.client(Fixture.USER);
  private static final IssuedCertificate revokedAtStart = users.client("mallory");
  private static final Path currentCrl = copy(users.crl(List.of(revokedAtStart), Instant.now().plus(Duration.ofDays(1))),
      "current.crl");
  private static final Path expiredCrl = copy(users.crl(List.of(), Instant.now().minus(Duration.ofMinutes(5))),
      "expired.crl");

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      route("current", ClientCertificates.required(users.caCertificateFile()).revocationLists(currentCrl)),
      route("expired", ClientCertificates.required(users.caCertificateFile()).revocationLists(expiredCrl)),
      route("expired-allowed", ClientCertificates.required(users.caCertificateFile()).revocationLists(expiredCrl)
          .allowExpiredRevocationLists(true))));

  private static Path copy(Path crl, String name) {
    try {
      return Files.copy(crl, users.directory().resolve(name), StandardCopyOption.REPLACE_EXISTING);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Route route(String name, ClientCertificates certificates) {
    return f.plainRoute(name).tls(f.listenerTls().clientCertificates(certificates))
        .clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN)).build();
  }

  private static ClientTools.Result psql(String route, IssuedCertificate certificate, String user) throws Exception {
    return ClientTools.psql(f.conninfo(proxy.boundAddress(route), "verify-full") + " user=" + user + " sslcert="
        + certificate.certificateFile() + " sslkey=" + certificate.privateKeyFile(), Fixture.PASSWORD,
        "select current_user");
  }

  @Test
  void aCertificateRevokedByAReloadedCrlIsRefusedOnTheNextHandshake() throws Exception {
    ClientTools.Result before = psql("current", alice, Fixture.USER);
    assertThat(before.exitCode).as(before.toString()).isZero();

    IssuedCertificate bob = users.client("bob");
    copy(users.crl(List.of(revokedAtStart, alice), Instant.now().plus(Duration.ofDays(1))), "current.crl");
    assertThat(proxy.reloadCertificates()).isEmpty();

    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result after = psql("current", alice, Fixture.USER);
      assertThat(after.exitCode).isNotZero();
      assertThat(after.stderr).contains("SSL error").doesNotContain("FATAL");
      assertThat(log.awaitLine("revoked")).contains("route 'current'")
          .contains("the client's certificate is revoked")
          .contains("serial " + alice.certificate().getSerialNumber().toString(16).toUpperCase());
    }
    // Another certificate of the same CA is not touched; bob is refused only by the identity rule.
    ClientTools.Result other = psql("current", bob, Fixture.USER);
    assertThat(other.stderr).contains("certificate authentication failed for user \"alice\"");
  }

  @Test
  void aCertificateOnTheCrlFromTheStartNeverGetsIn() throws Exception {
    ClientTools.Result r = psql("current", revokedAtStart, "mallory");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("SSL error");
  }

  @Test
  void anExpiredCrlFailsClosed() throws Exception {
    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result r = psql("expired", alice, Fixture.USER);
      assertThat(r.exitCode).isNotZero();
      assertThat(r.stderr).contains("SSL error");
      assertThat(log.awaitLine("cannot be checked")).contains("route 'expired'").contains("expired at");
    }
  }

  @Test
  void anExpiredCrlIsUsedWhereTheRouteAllowsIt() throws Exception {
    ClientTools.Result r = psql("expired-allowed", alice, Fixture.USER);
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo(Fixture.USER);
  }
}
