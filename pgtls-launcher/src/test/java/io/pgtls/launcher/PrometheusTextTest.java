package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.ListenerMetrics;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.RouteMetrics;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exposition format itself, from metrics made up here or read from a proxy that is built but not started. */
class PrometheusTextTest {
  private static RouteMetrics metrics(String route) {
    return new RouteMetrics(route, 7, 2, 5, Map.of("plaintext", 1L, "client_tls", 3L), Map.of("not_tls", 4L), 6, 0.25,
        5, 0.0001, 1, 1000, 2000, Map.of("listener", Instant.ofEpochSecond(1_900_000_000L)),
        Map.of("exact", 3L, "wildcard", 2L, "no_sni", 0L, "default", 1L), 4,
        Map.of("/etc/pgtls/client.crl", Instant.ofEpochSecond(1_800_000_000L), "/etc/pgtls/forever.crl", Instant.MAX));
  }

  @Test
  void everyFamilyHasHelpAndTypeOnceEvenWithTwoRoutes() {
    String text = PrometheusText.render(List.of(metrics("a"), metrics("b")), List.of(), Map.of());
    for (String family : List.of("pgtls_connections_accepted_total", "pgtls_connections_active", "pgtls_sessions_total",
        "pgtls_refusals_total", "pgtls_client_handshake_failures_total", "pgtls_client_handshake_seconds",
        "pgtls_backend_connect_seconds", "pgtls_backend_connect_failures_total", "pgtls_bytes_total",
        "pgtls_certificate_not_after_seconds", "pgtls_client_crl_next_update_seconds",
        "pgtls_server_name_matches_total",
        "pgtls_connections_without_server_name_total", "pgtls_limit_refusals_total")) {
      assertThat(text.lines().filter(l -> l.startsWith("# TYPE " + family + " "))).as(family).hasSize(1);
      assertThat(text.lines().filter(l -> l.startsWith("# HELP " + family + " "))).as(family).hasSize(1);
    }
    assertThat(text).contains(
        "pgtls_connections_accepted_total{route=\"a\"} 7\n",
        "pgtls_connections_active{route=\"b\"} 2\n",
        "pgtls_connections_without_server_name_total{route=\"a\"} 4\n",
        "pgtls_refusals_total{route=\"a\",reason=\"client_tls\"} 3\n",
        "pgtls_refusals_total{route=\"a\",reason=\"plaintext\"} 1\n",
        "pgtls_client_handshake_failures_total{route=\"a\",reason=\"not_tls\"} 4\n",
        "pgtls_client_handshake_seconds_sum{route=\"a\"} 0.25\n",
        "pgtls_client_handshake_seconds_count{route=\"a\"} 6\n",
        "pgtls_backend_connect_seconds_sum{route=\"a\"} 1.0E-4\n",
        "pgtls_bytes_total{route=\"a\",direction=\"client_to_backend\"} 1000\n",
        "pgtls_bytes_total{route=\"a\",direction=\"backend_to_client\"} 2000\n",
        "pgtls_certificate_not_after_seconds{route=\"a\",certificate=\"listener\"} 1900000000\n",
        "pgtls_client_crl_next_update_seconds{route=\"a\",file=\"/etc/pgtls/client.crl\"} 1800000000\n",
        "# TYPE pgtls_client_handshake_seconds summary\n");
    assertThat(text).endsWith("\n").doesNotContain("forever.crl");
  }

  @Test
  void theTlsEngineIsOneGaugePerEngineInUseNotPerRoute() {
    String text = PrometheusText.tlsEngines(Map.of("a", "boringssl", "b", "boringssl", "c", "jdk"));
    assertThat(text.lines().filter(l -> l.startsWith("# TYPE pgtls_tls_engine gauge"))).hasSize(1);
    assertThat(text.lines().filter(l -> l.startsWith("pgtls_tls_engine{")))
        .containsExactly("pgtls_tls_engine{engine=\"boringssl\"} 1", "pgtls_tls_engine{engine=\"jdk\"} 1");
  }

  @Test
  void limitRefusalsAreOneProxyWideFamilyLabelledByReasonOnly() {
    String text = PrometheusText.render(List.of(metrics("a"), metrics("b")), List.of(), Map.of(
        "per_source_connections", 3L, "pending_connections", 0L, "handshake_rate", 41L, "cancel_rate", 2L));
    assertThat(text.lines().filter(l -> l.startsWith("# TYPE pgtls_limit_refusals_total counter"))).hasSize(1);
    assertThat(text.lines().filter(l -> l.startsWith("# HELP pgtls_limit_refusals_total "))).hasSize(1);
    assertThat(text.lines().filter(l -> l.startsWith("pgtls_limit_refusals_total{"))).containsExactly(
        "pgtls_limit_refusals_total{reason=\"cancel_rate\"} 2",
        "pgtls_limit_refusals_total{reason=\"handshake_rate\"} 41",
        "pgtls_limit_refusals_total{reason=\"pending_connections\"} 0",
        "pgtls_limit_refusals_total{reason=\"per_source_connections\"} 3");
  }

  /** A fresh proxy's counters: every reason is there at 0, so rate() and alerts see the series from the start. */
  @Test
  void everyLimitRefusalReasonIsExposedAtZeroBeforeAnyRefusalNotAbsent(@TempDir Path dir) throws Exception {
    IssuedCertificate cert = TestPki.create(dir).server("pgtls", "localhost");
    try (PgTlsProxy proxy = PgTlsProxy.builder().route(Route.builder("main").listen("127.0.0.1:0")
        .tls(ListenerTls.pem(cert.certificateFile(), cert.privateKeyFile())).backend("127.0.0.1:5432")
        .backendTls(BackendTls.disabled()).build()).build()) {
      String text = PrometheusText.render(proxy.metrics(), proxy.listenerMetrics(), proxy.limitRefusals());
      assertThat(text).contains(
          "pgtls_limit_refusals_total{reason=\"per_source_connections\"} 0\n",
          "pgtls_limit_refusals_total{reason=\"pending_connections\"} 0\n",
          "pgtls_limit_refusals_total{reason=\"handshake_rate\"} 0\n",
          "pgtls_limit_refusals_total{reason=\"cancel_rate\"} 0\n");
    }
  }

  @Test
  void routeNamesWithQuotesAndBackslashesAreEscapedNotBreakingTheFormat() {
    String text = PrometheusText.render(List.of(metrics("we\"ird\\na\nme")), List.of(), Map.of());
    assertThat(text).contains("pgtls_sessions_total{route=\"we\\\"ird\\\\na\\nme\"} 5\n");
  }

  @Test
  void serverNameMatchesAreLabelledByRouteAndHowTheNameMatched() {
    String text = PrometheusText.render(List.of(metrics("tenant-a")), List.of(), Map.of());
    assertThat(text).contains(
        "# TYPE pgtls_server_name_matches_total counter\n",
        "pgtls_server_name_matches_total{route=\"tenant-a\",match=\"exact\"} 3\n",
        "pgtls_server_name_matches_total{route=\"tenant-a\",match=\"wildcard\"} 2\n",
        "pgtls_server_name_matches_total{route=\"tenant-a\",match=\"no_sni\"} 0\n",
        "pgtls_server_name_matches_total{route=\"tenant-a\",match=\"default\"} 1\n");
  }

  @Test
  void connectionsThatReachNoRouteAreCountedByTheirListenerNotLost() {
    ListenerMetrics shared = new ListenerMetrics("0.0.0.0:6432", 9, 1, Map.of("unrecognized_name", 4L, "plaintext", 1L),
        Map.of("not_tls", 2L));
    String text = PrometheusText.render(List.of(metrics("a")), List.of(shared), Map.of());
    for (String family : List.of("pgtls_listener_connections_total", "pgtls_listener_connections_active",
        "pgtls_listener_refusals_total", "pgtls_listener_client_handshake_failures_total")) {
      assertThat(text.lines().filter(l -> l.startsWith("# TYPE " + family + " "))).as(family).hasSize(1);
      assertThat(text.lines().filter(l -> l.startsWith("# HELP " + family + " "))).as(family).hasSize(1);
    }
    assertThat(text).contains(
        "pgtls_listener_connections_total{listener=\"0.0.0.0:6432\"} 9\n",
        "pgtls_listener_connections_active{listener=\"0.0.0.0:6432\"} 1\n",
        "pgtls_listener_refusals_total{listener=\"0.0.0.0:6432\",reason=\"unrecognized_name\"} 4\n",
        "pgtls_listener_refusals_total{listener=\"0.0.0.0:6432\",reason=\"plaintext\"} 1\n",
        "pgtls_listener_client_handshake_failures_total{listener=\"0.0.0.0:6432\",reason=\"not_tls\"} 2\n",
        "# TYPE pgtls_listener_connections_active gauge\n");
  }
}
