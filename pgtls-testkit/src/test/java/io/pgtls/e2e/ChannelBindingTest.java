package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ListenerTls;
import io.pgtls.testkit.junit.StartStop;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * SCRAM-SHA-256-PLUS through pgtls. libpq's and pgjdbc's defaults choose it whenever the server
 * offers it over TLS, and bind to the certificate they saw. With TLS on both legs, it can only pass
 * when pgtls presents the backend's own certificate; otherwise pgtls answers with its own FATAL
 * that says why and what to do, instead of the backend's bare "channel binding check failed".
 */
class ChannelBindingTest {
  private static final String REFUSAL = "FATAL:  SCRAM channel binding cannot pass pgtls route 'different-cert': "
      + "the client bound to pgtls's certificate, and backend ";
  private static final Fixture f = Fixture.get();
  private static final LogCapture probeLog = LogCapture.of("io.pgtls.internal");

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      f.tlsRoute("different-cert").build(),
      f.tlsRoute("same-cert").tls(ListenerTls.pem(f.postgresCertificate.certificateFile(),
          f.postgresCertificate.privateKeyFile())).build(),
      f.plainRoute("plain").build()));

  @AfterAll
  static void stopCapturing() {
    probeLog.close();
  }

  private static InetSocketAddress at(String route) {
    return proxy.boundAddress(route);
  }

  private static Properties pgjdbc(String channelBinding) {
    Properties p = f.verifyFull();
    if (channelBinding == null) {
      p.remove("channelBinding"); // pgjdbc's default: prefer
    } else {
      p.setProperty("channelBinding", channelBinding);
    }
    return p;
  }

  @Test
  void operatorIsWarnedAtStartUpThatTheRouteCannotPassChannelBinding() throws Exception {
    assertThat(probeLog.awaitLine("route 'different-cert': pgtls presents a certificate that differs"))
        .contains("route 'different-cert': pgtls presents a certificate that differs from backend "
            + f.backendAddress() + "'s, so SCRAM channel binding");
    assertThat(probeLog.awaitLine("route 'same-cert': presents the same certificate"))
        .contains("route 'same-cert': presents the same certificate as backend");
  }

  @Test
  void psqlDefaultsOnADifferentCertificateGetPgtlsOwnFatalWithTheWaysOut() throws Exception {
    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result r = ClientTools.psql(f.conninfo(at("different-cert"), "verify-full"), Fixture.PASSWORD,
          "select 1");
      assertThat(r.exitCode).isNotZero();
      assertThat(r.stderr).contains(REFUSAL + f.backendAddress() + " presents a different one")
          .contains("HINT:  Give this route the backend's own certificate and key")
          .contains("channel_binding=disable");
      assertThat(r.stderr).doesNotContain("channel binding check failed");
      assertThat(log.awaitLine("refused SCRAM-SHA-256-PLUS")).contains("refused SCRAM-SHA-256-PLUS (user=alice)");
    }
  }

  @Test
  void pgjdbcDefaultsOnADifferentCertificateGet28000() {
    assertThatThrownBy(() -> Fixture.connect(at("different-cert"), pgjdbc(null)).close())
        .isInstanceOfSatisfying(PSQLException.class, e -> {
          assertThat(e.getSQLState()).isEqualTo("28000");
          assertThat(e.getMessage()).contains("SCRAM channel binding cannot pass pgtls route 'different-cert'");
        });
  }

  @Test
  void channelBindingDisabledPassesADifferentCertificate() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at("different-cert"), "verify-full") + " channel_binding=disable",
        Fixture.PASSWORD, "select 'n flag'");
    assertThat(r.exitCode).as(r.toString()).isZero();
    try (Connection c = Fixture.connect(at("different-cert"), pgjdbc("disable"))) {
      assertThat(Fixture.query(c, "select 1")).isEqualTo("1");
    }
  }

  @Test
  void theBackendsOwnCertificateLetsChannelBindingRequirePass() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at("same-cert"), "verify-full") + " channel_binding=require",
        Fixture.PASSWORD, "select 'bound end to end'");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("bound end to end");
    try (Connection c = Fixture.connect(at("same-cert"), pgjdbc("require"))) {
      assertThat(Fixture.query(c, "select 1")).isEqualTo("1");
    }
  }

  @Test
  void plaintextBackendLegWorksWithDefaultsAndRequireFailsOnTheClientSide() throws Exception {
    ClientTools.Result ok = ClientTools.psql(f.conninfo(at("plain"), "verify-full"), Fixture.PASSWORD, "select 1");
    assertThat(ok.exitCode).as(ok.toString()).isZero();
    ClientTools.Result req = ClientTools.psql(f.conninfo(at("plain"), "verify-full") + " channel_binding=require",
        Fixture.PASSWORD, "select 1");
    assertThat(req.exitCode).isNotZero();
    assertThat(req.stderr).contains("channel binding is required");
  }
}
