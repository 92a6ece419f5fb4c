package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ClientLimits;
import io.pgtls.PgTlsException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The top-level {@code [limits]} table, read and mapped onto the core's {@link ClientLimits}. Each
 * test of a refusal is named after the silent outcome it prevents.
 */
class LimitsConfigTest {
  private static final Path DIR = Path.of("/etc/pgtls");
  private static final String ROUTE = """
      [[proxy]]
        listener = { bind_address = "127.0.0.1:6432", server_cert = "missing.pem", server_key = "missing.key" }
        backend = { address = "db:5432", tls_enabled = false }
      """;

  /** A file whose first lines are {@code limitsLines} (the table's header included), then one route. */
  private static PgTlsConfig config(String... limitsLines) throws ConfigException {
    return ConfigLoader.parse(String.join("\n", limitsLines) + "\n" + ROUTE, "pgtls.toml", DIR);
  }

  private static ClientLimits limits(String... limitsLines) throws ConfigException {
    return ProxyBuilders.clientLimits(config(limitsLines)).orElseThrow();
  }

  private static void assertRefused(String message, String... limitsLines) {
    assertThatThrownBy(() -> config(limitsLines)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void withoutTheTableTheCoreKeepsItsDefaults() throws Exception {
    assertThat(config().limits()).isEmpty();
    assertThat(ProxyBuilders.clientLimits(config())).isEmpty();
  }

  @Test
  void anEmptyTableIsTheDefaults() throws Exception {
    assertThat(limits("[limits]")).usingRecursiveComparison().isEqualTo(ClientLimits.defaults());
  }

  @Test
  void everyKeyReachesClientLimits() throws Exception {
    ClientLimits limits = limits("[limits]", "max_connections_per_source = 50", "max_pending_connections = 1000",
        "handshakes_per_second_per_source = 20", "handshake_burst_per_source = 40",
        "cancels_per_second_per_source = 2.5", "cancel_burst_per_source = 5");
    assertThat(limits.maxConnectionsPerSource()).isEqualTo(50);
    assertThat(limits.maxPendingConnections()).isEqualTo(1000);
    assertThat(limits.handshakesPerSecond()).isEqualTo(20.0);
    assertThat(limits.handshakeBurst()).isEqualTo(40);
    assertThat(limits.cancelsPerSecond()).isEqualTo(2.5);
    assertThat(limits.cancelBurst()).isEqualTo(5);
  }

  @Test
  void aRateWithoutItsBurstKeepsTheDefaultBurstAndTheOtherWayRound() throws Exception {
    ClientLimits defaults = ClientLimits.defaults();
    ClientLimits limits = limits("limits = { handshakes_per_second_per_source = 0.5, cancel_burst_per_source = 7 }");
    assertThat(limits.handshakesPerSecond()).isEqualTo(0.5);
    assertThat(limits.handshakeBurst()).isEqualTo(defaults.handshakeBurst());
    assertThat(limits.cancelsPerSecond()).isEqualTo(defaults.cancelsPerSecond());
    assertThat(limits.cancelBurst()).isEqualTo(7);
    assertThat(limits.maxConnectionsPerSource()).isEqualTo(defaults.maxConnectionsPerSource());
    assertThat(limits.maxPendingConnections()).isEqualTo(defaults.maxPendingConnections());
  }

  @Test
  void zeroCountsMeanNoLimitNotRefuseEveryone() throws Exception {
    ClientLimits limits = limits("[limits]", "max_connections_per_source = 0", "max_pending_connections = 0");
    assertThat(limits.maxConnectionsPerSource()).isZero();
    assertThat(limits.maxPendingConnections()).isZero();
  }

  @Test
  void negativeLimitIsAnErrorNotNoLimit() {
    assertRefused("pgtls.toml:2: limits.max_connections_per_source: must be from 0 to 1000000, got -1",
        "[limits]", "max_connections_per_source = -1");
    assertRefused("pgtls.toml:3: limits.max_pending_connections: must be from 0 to 1000000, got -5",
        "[limits]", "max_connections_per_source = 10", "max_pending_connections = -5");
  }

  @Test
  void zeroRateIsAnErrorNotAClosedDoor() {
    assertRefused("pgtls.toml:2: limits.handshakes_per_second_per_source: must be more than 0 and at most "
        + "1000000000, got integer 0", "[limits]", "handshakes_per_second_per_source = 0");
    assertRefused("pgtls.toml:2: limits.cancels_per_second_per_source: must be more than 0 and at most 1000000000, "
        + "got float -1.5", "[limits]", "cancels_per_second_per_source = -1.5");
    assertRefused("pgtls.toml:2: limits.cancels_per_second_per_source: must be more than 0 and at most 1000000000, "
        + "got float NaN", "[limits]", "cancels_per_second_per_source = nan");
  }

  @Test
  void rateAsAStringIsAnErrorNotAParsedNumber() {
    assertRefused("pgtls.toml:2: limits.handshakes_per_second_per_source: expected a number, got string \"200/s\"",
        "[limits]", "handshakes_per_second_per_source = \"200/s\"");
  }

  @Test
  void zeroBurstIsAnErrorNotABucketThatNeverHoldsAToken() {
    assertRefused("pgtls.toml:2: limits.handshake_burst_per_source: must be from 1 to 1000000, got 0",
        "[limits]", "handshake_burst_per_source = 0");
    assertRefused("pgtls.toml:2: limits.cancel_burst_per_source: expected an integer, got float 2.5",
        "[limits]", "cancel_burst_per_source = 2.5");
  }

  @Test
  void aRateTooSlowForItsBurstIsAnErrorAtItsLineNotAFailureInsideTheCore() {
    assertRefused("pgtls.toml:2: limits: handshake_burst_per_source 1000 at handshakes_per_second_per_source 0.00001 "
        + "would take more than a year to refill; raise handshakes_per_second_per_source or lower "
        + "handshake_burst_per_source", "[limits]", "handshakes_per_second_per_source = 0.00001");
    assertRefused("pgtls.toml:2: limits: cancel_burst_per_source 100000 at cancels_per_second_per_source 0.001 would "
        + "take more than a year to refill; raise cancels_per_second_per_source or lower cancel_burst_per_source",
        "[limits]", "cancel_burst_per_source = 100000", "cancels_per_second_per_source = 0.001");
  }

  /** The loader accepts no less than the core: a slow rate it lets through is one the core builds. */
  @Test
  void aSlowRateTheLoaderAcceptsIsOneTheCoreAcceptsToo() throws Exception {
    PgTlsConfig config = config("[limits]", "handshakes_per_second_per_source = 0.00004", "handshake_burst_per_source = 1000",
        "cancels_per_second_per_source = 1e-7", "cancel_burst_per_source = 1");
    // build() checks the limits before it reads any file: reaching the missing certificate means they passed.
    assertThatThrownBy(() -> ProxyBuilders.builder(config).build()).isInstanceOf(PgTlsException.class)
        .hasMessageContaining("missing.pem");
  }

  @Test
  void typoInALimitsKeyIsAnErrorNotSilentlyTheDefault() {
    assertRefused("pgtls.toml:2: unknown key 'limits.max_connection_per_source'", "[limits]",
        "max_connection_per_source = 10");
  }

  @Test
  void limitsAsANumberIsExplainedNotIgnored() {
    assertRefused("pgtls.toml:1: limits: expected a table [limits], got integer 100", "limits = 100");
  }
}
