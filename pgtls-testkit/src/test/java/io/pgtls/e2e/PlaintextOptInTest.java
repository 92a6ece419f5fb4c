package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import org.junit.jupiter.api.Test;

/** Plaintext clients are refused unless a route explicitly allows them, and never on an mTLS route. */
class PlaintextOptInTest {
  private final Fixture f = Fixture.get();

  @Test
  void aRouteThatAllowsPlaintextClientsRelaysThemAndStillServesTls() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("legacy").allowPlaintextClients(true).build())) {
      ClientTools.Result plain = ClientTools.psql(f.conninfo(proxy.boundAddress("legacy"), "disable"), Fixture.PASSWORD,
          "select 'relayed'");
      assertThat(plain.exitCode).as(plain.toString()).isZero();
      assertThat(plain.stdout.strip()).isEqualTo("relayed");
      ClientTools.Result tls = ClientTools.psql(f.conninfo(proxy.boundAddress("legacy"), "verify-full"),
          Fixture.PASSWORD, "select 1");
      assertThat(tls.exitCode).as(tls.toString()).isZero();
    }
  }

  @Test
  void plaintextClientBehindATlsBackendLegMeetsLibpqsDowngradeGuard() throws Exception {
    // The backend sees TLS and offers SCRAM-SHA-256-PLUS; libpq, seeing no TLS itself, refuses
    // that offer whatever channel_binding says. Documented; the build warns about the combination.
    try (LogCapture log = LogCapture.of("io.pgtls.PgTlsProxy");
        PgTlsProxy proxy = Fixture.start(f.tlsRoute("legacy-tls").allowPlaintextClients(true).build())) {
      assertThat(log.awaitLine("allow_plaintext_clients")).contains("route 'legacy-tls': allow_plaintext_clients with a "
          + "TLS backend leg");
      ClientTools.Result plain = ClientTools.psql(f.conninfo(proxy.boundAddress("legacy-tls"), "disable"),
          Fixture.PASSWORD, "select 1");
      assertThat(plain.stderr).contains("server offered SCRAM-SHA-256-PLUS authentication over a non-SSL connection");
    }
  }

  @Test
  void plaintextClientsAndMtlsCannotBeCombined() {
    assertThatThrownBy(() -> PgTlsProxy.builder().route(f.tlsRoute("both").allowPlaintextClients(true)
        .tls(f.listenerTls().requireClientCertificates(f.pki.caCertificateFile())).build()).build())
        .isInstanceOf(PgTlsException.class)
        .hasMessage("route 'both': allow_plaintext_clients and mtls exclude each other: a plaintext client would skip "
            + "the client certificate check");
  }
}
