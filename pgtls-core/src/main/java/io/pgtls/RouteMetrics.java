package io.pgtls;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of one route's counters, from {@link PgTlsProxy#metrics()}. Counters only grow;
 * {@link #connectionsActive()} is a gauge. No metrics library is needed: an embedder exports these
 * however it likes (the launcher serves them in Prometheus text format).
 */
public final class RouteMetrics {
  private final String route;
  private final long connectionsAccepted;
  private final long connectionsActive;
  private final long sessions;
  private final Map<String, Long> refusals;
  private final Map<String, Long> clientHandshakeFailures;
  private final long clientHandshakes;
  private final double clientHandshakeSeconds;
  private final long backendConnects;
  private final double backendConnectSeconds;
  private final long backendConnectFailures;
  private final long bytesClientToBackend;
  private final long bytesBackendToClient;
  private final Map<String, Instant> certificateNotAfter;

  public RouteMetrics(String route, long connectionsAccepted, long connectionsActive, long sessions,
      Map<String, Long> refusals, Map<String, Long> clientHandshakeFailures, long clientHandshakes,
      double clientHandshakeSeconds, long backendConnects, double backendConnectSeconds, long backendConnectFailures,
      long bytesClientToBackend, long bytesBackendToClient, Map<String, Instant> certificateNotAfter) {
    this.route = route;
    this.connectionsAccepted = connectionsAccepted;
    this.connectionsActive = connectionsActive;
    this.sessions = sessions;
    this.refusals = Map.copyOf(refusals);
    this.clientHandshakeFailures = Map.copyOf(clientHandshakeFailures);
    this.clientHandshakes = clientHandshakes;
    this.clientHandshakeSeconds = clientHandshakeSeconds;
    this.backendConnects = backendConnects;
    this.backendConnectSeconds = backendConnectSeconds;
    this.backendConnectFailures = backendConnectFailures;
    this.bytesClientToBackend = bytesClientToBackend;
    this.bytesBackendToClient = bytesBackendToClient;
    this.certificateNotAfter = Map.copyOf(certificateNotAfter);
  }

  public String route() {
    return route;
  }

  /** TCP connections accepted by the route's listener. */
  public long connectionsAccepted() {
    return connectionsAccepted;
  }

  /** Connections open now (any state). */
  public long connectionsActive() {
    return connectionsActive;
  }

  /** Sessions that reached the backend and were relayed (cancel requests not counted). */
  public long sessions() {
    return sessions;
  }

  /**
   * Refused connections by reason: {@code plaintext}, {@code unencrypted_after_sslrequest},
   * {@code invalid_packet}, {@code unsupported_protocol}, {@code plaintext_cancel},
   * {@code direct_tls_without_alpn}, {@code startup_timeout}, {@code client_tls},
   * {@code backend_unavailable}, {@code backend_tls}, {@code channel_binding}.
   */
  public Map<String, Long> refusals() {
    return refusals;
  }

  /**
   * Failed client TLS handshakes by reason: {@code no_client_certificate},
   * {@code untrusted_client_certificate}, {@code expired_client_certificate},
   * {@code protocol_version}, {@code alpn}, {@code client_alert}, {@code not_tls},
   * {@code renegotiation}, {@code timeout}, {@code other}.
   */
  public Map<String, Long> clientHandshakeFailures() {
    return clientHandshakeFailures;
  }

  /** Completed client TLS handshakes, and the seconds they took in total. */
  public long clientHandshakes() {
    return clientHandshakes;
  }

  public double clientHandshakeSeconds() {
    return clientHandshakeSeconds;
  }

  /** Backend connections made ready (TCP, plus SSLRequest and TLS on a TLS leg), and their seconds in total. */
  public long backendConnects() {
    return backendConnects;
  }

  public double backendConnectSeconds() {
    return backendConnectSeconds;
  }

  /** Backend connections that could not be made ready. */
  public long backendConnectFailures() {
    return backendConnectFailures;
  }

  /** Plaintext bytes relayed from clients to the backend. */
  public long bytesClientToBackend() {
    return bytesClientToBackend;
  }

  /** Plaintext bytes relayed from the backend to clients. */
  public long bytesBackendToClient() {
    return bytesBackendToClient;
  }

  /**
   * When each certificate this route uses stops being valid: {@code listener} (the certificate
   * shown to clients), {@code client_ca}, {@code backend_root_ca} (the earliest of each file) and
   * {@code backend_client} (the certificate shown to the backend), as far as configured.
   */
  public Map<String, Instant> certificateNotAfter() {
    return certificateNotAfter;
  }

  @Override
  public String toString() {
    return "RouteMetrics{" + route + " accepted=" + connectionsAccepted + " active=" + connectionsActive
        + " sessions=" + sessions + " refusals=" + refusals + " handshakeFailures=" + clientHandshakeFailures
        + " bytes=" + bytesClientToBackend + "/" + bytesBackendToClient + "}";
  }
}
