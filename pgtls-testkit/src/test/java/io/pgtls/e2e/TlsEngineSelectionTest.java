package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.PgTlsProxy;
import io.pgtls.tls.TlsEngines;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end tests run twice, once per TLS engine (the testkit's surefire executions), and a
 * run whose property did not reach the proxies would silently test the JDK's engine twice. So
 * each run names itself (pgtls.test.run) and this test fails unless the proxies the tests build
 * are served by that run's engine, and a client gets through one.
 */
class TlsEngineSelectionTest {
  private final Fixture f = Fixture.get();

  @Test
  void theProxiesOfThisRunAreServedByItsEngine() throws Exception {
    String run = System.getProperty("pgtls.test.run");
    assertThat(run).as("pgtls.test.run, set by each surefire execution of the testkit").isIn("jdk", "boringssl");
    assertThat(TlsEngines.fallback().name()).isEqualTo(run);
    try (PgTlsProxy proxy = Fixture.start(f.tlsRoute("selected").build(), f.plainRoute("plain").build())) {
      assertThat(proxy.tlsEngines()).isEqualTo(Map.of("selected", run, "plain", run));
      try (Connection c = Fixture.connect(proxy.boundAddress("selected"), f.verifyFull())) {
        assertThat(Fixture.query(c, "SELECT 'through ' || current_user")).isEqualTo("through alice");
      }
    }
  }

  @Test
  void theEngineOfARunLoadsItsNativeLibraryOrTheRunFails() {
    // No skip: a run on the BoringSSL engine where it cannot load would test nothing.
    assertThat(TlsEngines.named(System.getProperty("pgtls.test.run", "?")).unavailability()).isEmpty();
  }
}
