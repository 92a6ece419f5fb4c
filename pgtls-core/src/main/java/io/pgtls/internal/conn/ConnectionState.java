package io.pgtls.internal.conn;

/**
 * The life of one proxied connection. Each transition happens in one place in {@link
 * ProxyConnection}; the state is in its one-line {@code toString}.
 *
 * <pre>
 * NEGOTIATING ─► CLIENT_HANDSHAKE ─► AWAIT_STARTUP ─► BACKEND_CONNECTING ─► BACKEND_NEGOTIATING
 *      │  (GSSENCRequest: 'N', stay)                        │ (plaintext backend)      │
 *      │                                                     ▼                          ▼
 *      │                                                  RELAYING ◄──────────── BACKEND_HANDSHAKE
 *      ▼ (refusal, timeout, failure, both sides done)        │
 *   CLOSING ─────────────────────────────────────────────► CLOSED
 * </pre>
 */
enum ConnectionState {
  /** Reading the client's first plaintext packet: SSLRequest, GSSENCRequest, CancelRequest, or a refused StartupMessage. */
  NEGOTIATING,
  /** TLS handshake with the client (after 'S', or direct TLS). */
  CLIENT_HANDSHAKE,
  /** Reading the first message inside TLS: a StartupMessage or a CancelRequest. */
  AWAIT_STARTUP,
  /** Resolving and connecting to the backend. */
  BACKEND_CONNECTING,
  /** SSLRequest sent to the backend; waiting for its one-byte answer. */
  BACKEND_NEGOTIATING,
  /** TLS handshake with the backend. */
  BACKEND_HANDSHAKE,
  /** Relaying both ways, with backpressure and half-close. */
  RELAYING,
  /** Flushing a final ErrorResponse or close_notify, then waiting briefly for the peer's EOF. */
  CLOSING,
  /** Sockets closed, buffers returned. */
  CLOSED
}
