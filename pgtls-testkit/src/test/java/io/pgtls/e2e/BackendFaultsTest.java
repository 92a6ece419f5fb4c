package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.junit.StartStop;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Backends that stall or lie during the SSLRequest exchange: each gives the client a FATAL naming
 * the backend and the reason, and the proxy goes on serving everyone else.
 */
class BackendFaultsTest {
  private static final Fixture f = Fixture.get();
  private static final FakeBackend silent = new FakeBackend(new byte[0]);
  private static final FakeBackend stallsAfterS = new FakeBackend(new byte[] {'S'});
  // CVE-2021-23222: bytes injected behind the 'S', here a forged ErrorResponse.
  private static final FakeBackend sWithExtraBytes =
      new FakeBackend("SE\0\0\0\u0008M\0\0".getBytes(StandardCharsets.ISO_8859_1));
  private static final FakeBackend answersE =
      new FakeBackend("E\0\0\0\u0014SFATAL\0Mforged\0\0".getBytes(StandardCharsets.ISO_8859_1));

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      f.tlsRoute("silent").backend(silent.address()).handshakeTimeout(Duration.ofSeconds(1)).build(),
      f.tlsRoute("stalls").backend(stallsAfterS.address()).handshakeTimeout(Duration.ofSeconds(1)).build(),
      f.tlsRoute("injects").backend(sWithExtraBytes.address()).build(),
      f.tlsRoute("errors").backend(answersE.address()).build(),
      f.plainRoute("good").build()), silent, stallsAfterS, sWithExtraBytes, answersE);

  private ClientTools.Result psql(String route) throws Exception {
    return ClientTools.psql(f.conninfo(proxy.boundAddress(route), "verify-full"), Fixture.PASSWORD, "select 1");
  }

  @Test
  void backendThatNeverAnswersTheSslRequestTimesOutWithAFatal() throws Exception {
    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result r = psql("silent");
      assertThat(r.exitCode).isNotZero();
      assertThat(r.stderr).contains("FATAL:  backend " + silent.address()
          + " did not complete the TLS handshake within 1000 ms", "HINT:  Is it a PostgreSQL server with ssl=on?");
      assertThat(log.awaitLine("did not complete")).contains("WARN").contains("route 'silent'");
    }
    assertServesAGoodClient();
  }

  @Test
  void backendThatStallsMidHandshakeTimesOutWithAFatal() throws Exception {
    ClientTools.Result r = psql("stalls");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  backend " + stallsAfterS.address()
        + " did not complete the TLS handshake within 1000 ms");
    assertServesAGoodClient();
  }

  @Test
  void bytesInjectedAfterTheBackendsSAreRefused() throws Exception {
    ClientTools.Result r = psql("injects");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  backend " + sWithExtraBytes.address()
        + " sent unencrypted data after its SSL response");
    assertThat(r.stderr).doesNotContain("M\0");
  }

  @Test
  void backendErrorBeforeTlsIsReportedButItsUnauthenticatedTextIsNotRelayed() throws Exception {
    ClientTools.Result r = psql("errors");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  backend " + answersE.address() + " answered SSLRequest with an error");
    assertThat(r.stderr).doesNotContain("forged");
  }

  private static void assertServesAGoodClient() throws Exception {
    try (Connection c = Fixture.connect(proxy.boundAddress("good"), f.verifyFull())) {
      assertThat(Fixture.query(c, "select 7")).isEqualTo("7");
    }
  }
}
