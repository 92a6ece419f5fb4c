package io.pgtls.launcher;

import io.pgtls.ListenerMetrics;
import io.pgtls.RouteMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Renders route metrics in the Prometheus text exposition format (version 0.0.4): each family once,
 * with {@code # HELP} and {@code # TYPE}, one sample per route (and reason, direction, certificate
 * or server-name match), then the {@code pgtls_listener_*} families of the listeners that choose
 * their route by server name, then the proxy-wide {@code pgtls_limit_refusals_total}. The meaning
 * of every family is listed in {@code specs/operations.md}.
 */
final class PrometheusText {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder();
  private final List<RouteMetrics> routes;
  private final List<ListenerMetrics> listeners;
  private final Map<String, Long> limitRefusals;

  private PrometheusText(List<RouteMetrics> routes, List<ListenerMetrics> listeners, Map<String, Long> limitRefusals) {
    this.routes = routes;
    this.listeners = listeners;
    this.limitRefusals = limitRefusals;
  }

  /**
   * {@code routes} from {@code PgTlsProxy.metrics()}, {@code listeners} from {@code
   * listenerMetrics()}, {@code limitRefusals} from {@code limitRefusals()} (every reason, zero
   * included).
   */
  static String render(List<RouteMetrics> routes, List<ListenerMetrics> listeners, Map<String, Long> limitRefusals) {
    PrometheusText text = new PrometheusText(routes, listeners, limitRefusals);
    text.all();
    text.listeners();
    text.limits();
    return text.out.toString();
  }

  private void all() {
    counter("pgtls_connections_accepted_total", "TCP connections accepted by the route's listener.",
        RouteMetrics::connectionsAccepted);
    gauge("pgtls_connections_active", "Connections open now, in any state.", RouteMetrics::connectionsActive);
    counter("pgtls_sessions_total", "Sessions that reached the backend and were relayed (cancel requests not counted).",
        RouteMetrics::sessions);
    byReason("pgtls_refusals_total", "Connections refused by pgtls, by reason.", RouteMetrics::refusals);
    byReason("pgtls_client_handshake_failures_total", "Failed client TLS handshakes, by reason.",
        RouteMetrics::clientHandshakeFailures);
    summary("pgtls_client_handshake_seconds", "Time spent in completed client TLS handshakes.",
        RouteMetrics::clientHandshakeSeconds, RouteMetrics::clientHandshakes);
    summary("pgtls_backend_connect_seconds",
        "Time to make backend connections ready (TCP, plus SSLRequest and TLS on a TLS leg).",
        RouteMetrics::backendConnectSeconds, RouteMetrics::backendConnects);
    counter("pgtls_backend_connect_failures_total", "Backend connections that could not be made ready.",
        RouteMetrics::backendConnectFailures);
    header("pgtls_bytes_total", "counter", "Plaintext bytes relayed, by direction.");
    for (RouteMetrics r : routes) {
      sample("pgtls_bytes_total", labels("route", r.route(), "direction", "client_to_backend"), r.bytesClientToBackend());
      sample("pgtls_bytes_total", labels("route", r.route(), "direction", "backend_to_client"), r.bytesBackendToClient());
    }
    header("pgtls_certificate_not_after_seconds", "gauge",
        "When a certificate the route uses expires, in seconds since the Unix epoch.");
    for (RouteMetrics r : routes) {
      for (Map.Entry<String, Instant> e : new TreeMap<>(r.certificateNotAfter()).entrySet()) {
        sample("pgtls_certificate_not_after_seconds", labels("route", r.route(), "certificate", e.getKey()),
            e.getValue().getEpochSecond());
      }
    }
    header("pgtls_client_crl_next_update_seconds", "gauge",
        "When a client_crl file's CRLs are due to be renewed (their earliest nextUpdate), in seconds since the "
        + "Unix epoch; past it the route refuses the certificates they cover unless allow_expired_crl is set.");
    for (RouteMetrics r : routes) {
      for (Map.Entry<String, Instant> e : new TreeMap<>(r.revocationListNextUpdate()).entrySet()) {
        // A CRL without nextUpdate never expires: no sample rather than a made-up date.
        if (!e.getValue().equals(Instant.MAX)) {
          sample("pgtls_client_crl_next_update_seconds", labels("route", r.route(), "file", e.getKey()),
              e.getValue().getEpochSecond());
        }
      }
    }
    header("pgtls_server_name_matches_total", "counter", "Connections that took the route, by how their TLS server "
        + "name chose it: exact, wildcard, no_sni (no name or an IP address), default.");
    for (RouteMetrics r : routes) {
      new TreeMap<>(r.serverNameMatches()).forEach((match, count) ->
          sample("pgtls_server_name_matches_total", labels("route", r.route(), "match", match), count));
    }
    header("pgtls_connections_without_server_name_total", "counter", "Connections that took the route without "
        + "sending a TLS server name (pgjdbc for a host without a dot, libpq for an IP address, sslsni=0).");
    for (RouteMetrics r : routes) {
      sample("pgtls_connections_without_server_name_total", labels("route", r.route()),
          r.connectionsWithoutServerName());
    }
  }

  /**
   * Connections on a listener shared by routes that reached no route: refused before the server
   * name was read, or asking for a name no route serves (reason unrecognized_name).
   */
  private void listeners() {
    header("pgtls_listener_connections_total", "counter",
        "TCP connections accepted by a listener that chooses its route by server name.");
    listeners.forEach(l -> sample("pgtls_listener_connections_total", labels("listener", l.listener()),
        l.connectionsAccepted()));
    header("pgtls_listener_connections_active", "gauge", "Connections open now on a listener that chooses its route by server name.");
    listeners.forEach(l -> sample("pgtls_listener_connections_active", labels("listener", l.listener()),
        l.connectionsActive()));
    header("pgtls_listener_refusals_total", "counter",
        "Connections the listener refused before a route was chosen, by reason (unrecognized_name: no route serves "
            + "the server name).");
    listeners.forEach(l -> new TreeMap<>(l.refusals()).forEach((reason, count) ->
        sample("pgtls_listener_refusals_total", labels("listener", l.listener(), "reason", reason), count)));
    header("pgtls_listener_client_handshake_failures_total", "counter",
        "ClientHellos the listener could not read, by reason.");
    listeners.forEach(l -> new TreeMap<>(l.clientHandshakeFailures()).forEach((reason, count) ->
        sample("pgtls_listener_client_handshake_failures_total", labels("listener", l.listener(), "reason", reason),
            count)));
  }

  /** Refusals by the limits per client address and on pending connections, one sample per reason. */
  private void limits() {
    header("pgtls_limit_refusals_total", "counter", "Connections and CancelRequests refused by the limits per "
        + "client address and on connections still opening (the [limits] table), proxy-wide, by reason: "
        + "per_source_connections, pending_connections, handshake_rate, cancel_rate.");
    new TreeMap<>(limitRefusals).forEach((reason, count) ->
        sample("pgtls_limit_refusals_total", labels("reason", reason), count));
  }

  /**
   * {@code pgtls_tls_engine{engine="boringssl"} 1}: the TLS engines serving routes now, one sample
   * per engine, from {@code PgTlsProxy.tlsEngines()} (route to engine name).
   */
  static String tlsEngines(Map<String, String> engineByRoute) {
    PrometheusText text = new PrometheusText(List.of(), List.of(), Map.of());
    text.header("pgtls_tls_engine", "gauge", "The TLS engine serving routes (tls_engine): 1 per engine in use.");
    new java.util.TreeSet<>(engineByRoute.values()).forEach(engine ->
        text.sample("pgtls_tls_engine", labels("engine", engine), 1));
    return text.out.toString();
  }

  private void counter(String name, String help, ToLongFunction<RouteMetrics> value) {
    header(name, "counter", help);
    routes.forEach(r -> sample(name, labels("route", r.route()), value.applyAsLong(r)));
  }

  private void gauge(String name, String help, ToLongFunction<RouteMetrics> value) {
    header(name, "gauge", help);
    routes.forEach(r -> sample(name, labels("route", r.route()), value.applyAsLong(r)));
  }

  private void byReason(String name, String help, Function<RouteMetrics, Map<String, Long>> values) {
    header(name, "counter", help);
    for (RouteMetrics r : routes) {
      new TreeMap<>(values.apply(r)).forEach((reason, count) ->
          sample(name, labels("route", r.route(), "reason", reason), count));
    }
  }

  private void summary(String name, String help, ToDoubleFunction<RouteMetrics> sum, ToLongFunction<RouteMetrics> count) {
    header(name, "summary", help);
    for (RouteMetrics r : routes) {
      out.append(name).append("_sum").append(labels("route", r.route())).append(' ')
          .append(number(sum.applyAsDouble(r))).append('\n');
      sample(name + "_count", labels("route", r.route()), count.applyAsLong(r));
    }
  }

  private void header(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private void sample(String name, String labels, long value) {
    out.append(name).append(labels).append(' ').append(value).append('\n');
  }

  private static String number(double value) {
    // Double.toString gives "1.0E-4" for small values, which Prometheus parses; NaN and infinities
    // have their own spellings in the format.
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    return Double.toString(value);
  }

  private static String labels(String... namesAndValues) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (i > 0) {
        b.append(',');
      }
      b.append(namesAndValues[i]).append("=\"").append(escape(namesAndValues[i + 1])).append('"');
    }
    return b.append('}').toString();
  }

  /** Label values escape backslash, double quote and line feed; nothing else. */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
