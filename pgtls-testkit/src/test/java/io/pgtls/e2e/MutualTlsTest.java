package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import io.pgtls.testkit.junit.StartStop;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** A route that requires client certificates signed by its client_ca. */
class MutualTlsTest {
  private static final Fixture f = Fixture.get();
  private static final TestPki clientCa = TestPki.create(f.directory.resolve("client-ca"), "client CA");
  private static final IssuedCertificate alice = clientCa.client(Fixture.USER);
  private static final IssuedCertificate mallory =
      TestPki.create(f.directory.resolve("mallory-ca"), "mallory CA").client(Fixture.USER);

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(f.plainRoute("mtls")
      .tls(f.listenerTls().requireClientCertificates(clientCa.caCertificateFile())).build()));

  private static InetSocketAddress at() {
    return proxy.boundAddress("mtls");
  }

  private static Properties withCertificate(IssuedCertificate cert) {
    Properties p = f.verifyFull();
    p.setProperty("sslcert", cert.certificateFile().toString());
    p.setProperty("sslkey", cert.pkcs8DerFile().toString());
    return p;
  }

  @Test
  void clientWithACertificateFromClientCaConnects() throws Exception {
    try (Connection c = Fixture.connect(at(), withCertificate(alice))) {
      assertThat(Fixture.query(c, "select current_user")).isEqualTo(Fixture.USER);
    }
  }

  @Test
  void psqlWithACertificateFromClientCaConnects() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at(), "verify-full") + " sslcert=" + alice.certificateFile()
        + " sslkey=" + alice.privateKeyFile(), Fixture.PASSWORD, "select 1");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("1");
  }

  @Test
  void pgjdbcWithoutACertificateCompletesTheHandshakeAndGetsPostgresqlsFatal() throws Exception {
    // As PostgreSQL's clientcert=verify-full does: the client reads a FATAL it can show, not an alert.
    try (LogCapture log = LogCapture.connections()) {
      assertThatThrownBy(() -> Fixture.connect(at(), f.verifyFull()).close())
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"))
          .hasMessageContaining("connection requires a valid client certificate");
      assertThat(log.awaitLine("refused user=alice"))
          .contains("no client certificate, and this route requires one");
    }
  }

  @Test
  void psqlWithoutACertificateGetsPostgresqlsFatal() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at(), "verify-full"), Fixture.PASSWORD, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  connection requires a valid client certificate");
    assertThat(r.stdout).isEmpty();
  }

  @Test
  void plaintextRetriesCannotBypassMtls() throws Exception {
    // The original Rust pgtls relayed any plaintext StartupMessage to the backend, so a client
    // without a certificate only had to skip TLS to skip mTLS. sslmode=disable tries plaintext
    // only; sslmode=allow tries plaintext first, then TLS (which fails without a certificate).
    for (String mode : new String[] {"disable", "allow"}) {
      ClientTools.Result r = ClientTools.psql(f.conninfo(at(), mode), Fixture.PASSWORD, "select 1");
      assertThat(r.exitCode).as(mode).isNotZero();
      assertThat(r.stderr).as(mode)
          .contains("FATAL:  pgtls route 'mtls' requires an encrypted connection (SSL/TLS)");
      assertThat(r.stdout).as(mode).isEmpty();
    }
  }

  @Test
  void pgjdbcWithACertificateFromAnotherCaIsRefused() throws Exception {
    // The JDK client holds back a certificate whose issuer is not among the CAs the proxy names
    // in its CertificateRequest: for the proxy that is a client without a certificate.
    try (LogCapture log = LogCapture.connections()) {
      assertThatThrownBy(() -> Fixture.connect(at(), withCertificate(mallory)).close())
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"))
          .hasMessageContaining("connection requires a valid client certificate");
      assertThat(log.awaitLine("refused user=alice")).contains("no client certificate");
    }
  }

  @Test
  void psqlWithACertificateFromAnotherCaIsRefusedAndTheLogSaysWhy() throws Exception {
    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result r = ClientTools.psql(f.conninfo(at(), "verify-full") + " sslcert=" + mallory.certificateFile()
          + " sslkey=" + mallory.privateKeyFile(), Fixture.PASSWORD, "select 1");
      assertThat(r.exitCode).isNotZero();
      assertThat(r.stderr).contains("SSL error");
      assertThat(log.awaitLine("TLS handshake with the client failed"))
          .contains("the client's certificate is not signed by this route's client_ca");
    }
  }
}
