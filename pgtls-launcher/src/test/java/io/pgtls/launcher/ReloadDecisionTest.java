package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.launcher.config.ConfigLoader;
import io.pgtls.launcher.config.PgTlsConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a reload reads, what it may change, who may ask for one and how it is reported. */
class ReloadDecisionTest {
  private static final Path DIR = Path.of("/etc/pgtls");

  private static PgTlsConfig parse(String top, String port) throws Exception {
    return ConfigLoader.parse(top + """
        [[proxy]]
          name = "main"
          [proxy.listener]
          bind_address = "127.0.0.1:%s"
          server_cert = "proxy.pem"
          server_key = "proxy.key"
          [proxy.backend]
          address = "db:5432"
          tls_enabled = false
        """.formatted(port), "pgtls.toml", DIR);
  }

  @Test
  void certRefreshIntervalReloadsCertificatesOnlyEvenWithAFile() {
    assertThat(ReloadTrigger.INTERVAL.readsConfiguration(true)).isFalse();
    assertThat(ReloadTrigger.SIGHUP.readsConfiguration(true)).isTrue();
    assertThat(ReloadTrigger.FILE_CHANGE.readsConfiguration(true)).isTrue();
    assertThat(ReloadTrigger.ADMIN.readsConfiguration(true)).isTrue();
  }

  @Test
  void aCommandLineConfigurationHasNoFileToReadAgainAndReloadsCertificatesOnly() {
    for (ReloadTrigger trigger : ReloadTrigger.values()) {
      assertThat(trigger.readsConfiguration(false)).as(trigger.name()).isFalse();
    }
  }

  @Test
  void startOnlySettingsThatChangedAreNamedSoTheOperatorKnowsToRestart() throws Exception {
    PgTlsConfig started = parse("", "6432");
    PgTlsConfig next = parse("""
        loops = 2
        max_connections = 10
        log_format = "json"
        crypto_provider = "jdk"
        tls_engine = "jdk"
        log_level = "debug"
        drain_timeout = "5s"
        [limits]
        max_connections_per_source = 3
        [admin]
        bind_address = "127.0.0.1:9000"
        """, "6432");
    assertThat(RestartOnlySettings.changed(started, next))
        .containsExactly("log_format", "max_connections", "loops", "crypto_provider", "tls_engine", "[limits]",
            "[admin]");
  }

  @Test
  void settingsAReloadAppliesAreNotReportedAsNeedingARestart() throws Exception {
    PgTlsConfig started = parse("", "6432");
    PgTlsConfig next = parse("log_level = \"debug\"\ndrain_timeout = \"5s\"\n", "7432");
    assertThat(RestartOnlySettings.changed(started, next)).isEmpty();
  }

  @Test
  void aPortZeroRouteKeepsTheBoundPortSoANoChangeReloadDoesNotMoveIt() throws Exception {
    PgTlsConfig running = parse("", "0");
    PgTlsConfig pinned = EphemeralPorts.pin(running, parse("", "0"), route -> Optional.of(40001));
    assertThat(pinned.routes().get(0).listener().bindAddress().port()).isEqualTo(40001);
    assertThat(pinned.routes().get(0).locations()).isEqualTo(running.routes().get(0).locations());
  }

  @Test
  void aRouteMovedToAFixedPortOrANewRouteIsNotPinned() throws Exception {
    PgTlsConfig running = parse("", "0");
    assertThat(EphemeralPorts.pin(running, parse("", "7432"), route -> Optional.of(40001))
        .routes().get(0).listener().bindAddress().port()).isEqualTo(7432);
    assertThat(EphemeralPorts.pin(parse("", "6432"), parse("", "0"), route -> Optional.of(40001))
        .routes().get(0).listener().bindAddress().port()).isZero();
  }

  @Test
  void withoutATokenOnlyALoopbackEndpointTakesAReload() {
    assertThat(ReloadAuthorization.of(Optional.empty(), true).permits(Optional.empty())).isTrue();
    assertThat(ReloadAuthorization.of(Optional.empty(), false).permits(Optional.empty())).isFalse();
    assertThat(ReloadAuthorization.of(Optional.empty(), false).permits(Optional.of("Bearer anything"))).isFalse();
  }

  @Test
  void aConfiguredTokenIsRequiredEvenOnLoopback() {
    ReloadAuthorization auth = ReloadAuthorization.of(Optional.of("s3cret"), true);
    assertThat(auth.permits(Optional.empty())).isFalse();
    assertThat(auth.permits(Optional.of("Bearer wrong"))).isFalse();
    assertThat(auth.permits(Optional.of("Bearer s3cre"))).as("a prefix of the token").isFalse();
    assertThat(auth.permits(Optional.of("Basic s3cret"))).isFalse();
    assertThat(auth.permits(Optional.of("Bearer s3cret"))).isTrue();
    assertThat(ReloadAuthorization.of(Optional.of("s3cret"), false).permits(Optional.of("Bearer s3cret"))).isTrue();
  }

  @Test
  void aRefusedReloadIsAServerErrorAndAStoppingProxyAConflict() {
    assertThat(ReloadOutcome.applied("ok").httpStatus()).isEqualTo(200);
    assertThat(ReloadOutcome.failed("bad").httpStatus()).isEqualTo(500);
    assertThat(ReloadOutcome.notRunning("stopping").httpStatus()).isEqualTo(409);
  }

  @Test
  void reloadMetricsCountAttemptsAndFailuresAndStampOnlySuccesses() {
    Instant[] now = {Instant.ofEpochSecond(1000)};
    Clock clock = new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now[0]; }
    };
    long[] generation = {1};
    ReloadMetrics metrics = new ReloadMetrics(() -> generation[0], clock);
    now[0] = Instant.ofEpochSecond(2000);
    metrics.failed();
    String afterFailure = metrics.prometheusText();
    assertThat(AdminHttp.sample(afterFailure, "pgtls_config_last_reload_success_timestamp_seconds")).isEqualTo(1000);
    assertThat(AdminHttp.sample(afterFailure, "pgtls_config_reload_failures_total")).isEqualTo(1);
    now[0] = Instant.ofEpochSecond(3000);
    generation[0] = 2;
    metrics.succeeded();
    String text = metrics.prometheusText();
    assertThat(Map.of(
        "gen", AdminHttp.sample(text, "pgtls_config_generation"),
        "ts", AdminHttp.sample(text, "pgtls_config_last_reload_success_timestamp_seconds"),
        "fail", AdminHttp.sample(text, "pgtls_config_reload_failures_total"),
        "all", AdminHttp.sample(text, "pgtls_config_reloads_total")))
        .isEqualTo(Map.of("gen", 2.0, "ts", 3000.0, "fail", 1.0, "all", 2.0));
    assertThat(text).contains("# TYPE pgtls_config_reloads_total counter", "# TYPE pgtls_config_generation gauge");
  }
}
