package io.pgtls.internal.route;

/**
 * Why pgtls refused a connection before (or instead of) relaying it, or ended one it relayed; the
 * label is a metric label.
 */
public enum Refusal {
  /** A plaintext StartupMessage on a TLS listener. */
  PLAINTEXT("plaintext"),
  /** Plaintext bytes behind the SSLRequest (CVE-2021-23214). */
  UNENCRYPTED_AFTER_SSL_REQUEST("unencrypted_after_sslrequest"),
  /** A first packet of an impossible length, or garbage. */
  INVALID_PACKET("invalid_packet"),
  /** Protocol major version other than 3, or an encryption request inside TLS. */
  UNSUPPORTED_PROTOCOL("unsupported_protocol"),
  /** A CancelRequest whose key no session of the listener was given (a guess, another secret). */
  CANCEL_UNKNOWN_KEY("cancel_unknown_key"),
  /** A plaintext CancelRequest on a route that accepts cancels only inside TLS. */
  PLAINTEXT_CANCEL("plaintext_cancel"),
  /** Direct TLS without ALPN "postgresql". */
  DIRECT_TLS_WITHOUT_ALPN("direct_tls_without_alpn"),
  /** No startup packet in time. */
  STARTUP_TIMEOUT("startup_timeout"),
  /** No route of the listener serves the server name the client asked for. */
  UNRECOGNIZED_NAME("unrecognized_name"),
  /** The TLS handshake with the client failed or timed out. */
  CLIENT_TLS("client_tls"),
  /** The backend could not be resolved, reached or connected in time. */
  BACKEND_UNAVAILABLE("backend_unavailable"),
  /** The backend refused, failed or stalled TLS, or failed verification. */
  BACKEND_TLS("backend_tls"),
  /** The route requires a client certificate and the client sent none. */
  CLIENT_CERTIFICATE_REQUIRED("client_certificate_required"),
  /** The client certificate's identity may not log in as the user the StartupMessage names. */
  CERTIFICATE_AUTHENTICATION("certificate_authentication"),
  /** A connection from a peer outside proxy_protocol's trusted load balancers, on a listener that refuses them. */
  UNTRUSTED_PROXY_PEER("proxy_untrusted_peer"),
  /** A malformed, oversized, incomplete or missing PROXY protocol header from a trusted peer. */
  PROXY_HEADER("proxy_header"),
  /** The client's address is outside the route's allowed_sources. */
  SOURCE_NOT_ALLOWED("source_not_allowed"),
  /** The client's address has max_connections_per_source connections open. */
  PER_SOURCE_CONNECTIONS("per_source_connections"),
  /** The client's address opened connections faster than its handshake rate allows. */
  HANDSHAKE_RATE("handshake_rate"),
  /** Too many connections were opening at once, proxy-wide (max_pending_connections). */
  PENDING_CONNECTIONS("pending_connections"),
  /** The client's address sent CancelRequests faster than its cancel rate allows. */
  CANCEL_RATE("cancel_rate"),
  /** The route's or the proxy's session limit was reached. */
  TOO_MANY_CONNECTIONS("too_many_connections"),
  /** The client chose SCRAM-SHA-256-PLUS where the binding cannot match. */
  CHANNEL_BINDING("channel_binding"),
  /** A relayed session was drained: its route was removed or changed, and pgtls ended it. */
  DRAINED("drained");

  public final String label;

  Refusal(String label) {
    this.label = label;
  }
}
