package io.pgtls;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of one route's counters, from {@link PgTlsProxy#metrics()}. Counters only grow;
 * {@link #connectionsActive()} is a gauge. No metrics library is needed: an embedder exports these
 * however it likes (the launcher serves them in Prometheus text format).
 *
 * @param connectionsAccepted TCP connections accepted by the route's listener
 * @param connectionsActive connections open now (any state)
 * @param sessions sessions that reached the backend and were relayed (cancel requests not counted)
 * @param refusals refused connections by reason: {@code plaintext}, {@code
 *     unencrypted_after_sslrequest}, {@code invalid_packet}, {@code unsupported_protocol}, {@code
 *     plaintext_cancel}, {@code direct_tls_without_alpn}, {@code startup_timeout}, {@code client_tls},
 *     {@code backend_unavailable}, {@code backend_tls}, {@code channel_binding}
 * @param clientHandshakeFailures failed client TLS handshakes by reason: {@code
 *     no_client_certificate}, {@code untrusted_client_certificate}, {@code expired_client_certificate},
 *     {@code protocol_version}, {@code alpn}, {@code client_alert}, {@code not_tls}, {@code
 *     renegotiation}, {@code timeout}, {@code other}
 * @param clientHandshakes completed client TLS handshakes
 * @param clientHandshakeSeconds the seconds those handshakes took in total
 * @param backendConnects backend connections made ready (TCP, plus SSLRequest and TLS on a TLS leg)
 * @param backendConnectSeconds the seconds those took in total
 * @param backendConnectFailures backend connections that could not be made ready
 * @param bytesClientToBackend plaintext bytes relayed from clients to the backend
 * @param bytesBackendToClient plaintext bytes relayed from the backend to clients
 * @param certificateNotAfter when each certificate this route uses stops being valid: {@code
 *     listener} (the certificate shown to clients), {@code client_ca}, {@code backend_root_ca} (the
 *     earliest of each file) and {@code backend_client} (the certificate shown to the backend), as
 *     far as configured
 * @param revocationListNextUpdate when each {@code client_crl} file is due to be renewed (the
 *     earliest nextUpdate of its CRLs; {@link Instant#MAX} for CRLs without one), by path as configured
 */
public record RouteMetrics(
    String route,
    long connectionsAccepted,
    long connectionsActive,
    long sessions,
    Map<String, Long> refusals,
    Map<String, Long> clientHandshakeFailures,
    long clientHandshakes,
    double clientHandshakeSeconds,
    long backendConnects,
    double backendConnectSeconds,
    long backendConnectFailures,
    long bytesClientToBackend,
    long bytesBackendToClient,
    Map<String, Instant> certificateNotAfter,
    Map<String, Long> serverNameMatches,
    long connectionsWithoutServerName,
    Map<String, Instant> revocationListNextUpdate) {

  public RouteMetrics {
    refusals = Map.copyOf(refusals);
    clientHandshakeFailures = Map.copyOf(clientHandshakeFailures);
    certificateNotAfter = Map.copyOf(certificateNotAfter);
    serverNameMatches = Map.copyOf(serverNameMatches);
    revocationListNextUpdate = Map.copyOf(revocationListNextUpdate);
  }

  @Override
  public String toString() {
    return "RouteMetrics{" + route + " accepted=" + connectionsAccepted + " active=" + connectionsActive
        + " sessions=" + sessions + " refusals=" + refusals + " handshakeFailures=" + clientHandshakeFailures
        + " bytes=" + bytesClientToBackend + "/" + bytesBackendToClient + "}";
  }
}
