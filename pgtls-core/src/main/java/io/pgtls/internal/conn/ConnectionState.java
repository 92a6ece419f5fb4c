package io.pgtls.internal.conn;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of one proxied connection. Only {@link ProxyConnection} changes it, and only along the
 * moves {@link #canMoveTo} allows; the state is in the connection's one-line {@code toString}.
 *
 * <pre>
 * (READING_PROXY_HEADER, behind a load balancer) ─► NEGOTIATING
 * NEGOTIATING ─► CLIENT_HELLO ─► CLIENT_HANDSHAKE ─► AWAIT_STARTUP ─► BACKEND_CONNECTING ─► BACKEND_NEGOTIATING
 *   │ │ (GSSENCRequest: 'N', stay)                       │  │ (plaintext backend)      │
 *   │ │ (opted-in plaintext StartupMessage)──────────────┘  │      (direct TLS)        ▼
 *   │ └─(plaintext CancelRequest)─► BACKEND_CONNECTING      ├───────────────► BACKEND_HANDSHAKE
 *   │                                                        ▼                         │
 *   │                                      RELAYING or FORWARDING_CANCEL ◄─────────────┘
 *   ▼ (refusal, timeout, failure, both sides done)           │
 * CLOSING ─────────────────────────────────────────────────► CLOSED
 * </pre>
 */
enum ConnectionState {
  /** Reading the PROXY protocol header a trusted load balancer sends first. */
  READING_PROXY_HEADER,
  /** Reading the client's first plaintext packet: SSLRequest, GSSENCRequest, CancelRequest, or a StartupMessage. */
  NEGOTIATING,
  /** Reading the client's ClientHello (after 'S', or direct TLS) to choose the route by its server name. */
  CLIENT_HELLO,
  /** TLS handshake with the client, on the chosen route's engine. */
  CLIENT_HANDSHAKE,
  /** Reading the first message inside TLS: a StartupMessage or a CancelRequest. */
  AWAIT_STARTUP,
  /** Resolving and connecting to the backend. */
  BACKEND_CONNECTING,
  /** SSLRequest sent to the backend; waiting for its one-byte answer. */
  BACKEND_NEGOTIATING,
  /** TLS handshake with the backend. */
  BACKEND_HANDSHAKE,
  /** Relaying a session both ways, with backpressure and half-close. */
  RELAYING,
  /** Sending a CancelRequest to the backend; the client's socket is already closed. */
  FORWARDING_CANCEL,
  /** Flushing a final ErrorResponse or close_notify, then waiting briefly for the peers' EOF. */
  CLOSING,
  /** Sockets closed, buffers returned. */
  CLOSED;

  private Set<ConnectionState> next;

  static {
    // Every state may end in CLOSED (closeNow: a failure, a shutdown, a timeout before TLS).
    allow(READING_PROXY_HEADER, NEGOTIATING, CLOSING);
    allow(NEGOTIATING, CLIENT_HELLO, BACKEND_CONNECTING, CLOSING);
    allow(CLIENT_HELLO, CLIENT_HANDSHAKE, CLOSING);
    allow(CLIENT_HANDSHAKE, AWAIT_STARTUP, CLOSING);
    allow(AWAIT_STARTUP, BACKEND_CONNECTING, CLOSING);
    allow(BACKEND_CONNECTING, BACKEND_NEGOTIATING, BACKEND_HANDSHAKE, RELAYING, FORWARDING_CANCEL, CLOSING);
    allow(BACKEND_NEGOTIATING, BACKEND_HANDSHAKE, CLOSING);
    allow(BACKEND_HANDSHAKE, RELAYING, FORWARDING_CANCEL, CLOSING);
    allow(RELAYING, CLOSING);
    allow(FORWARDING_CANCEL, CLOSING);
    allow(CLOSING);
    CLOSED.next = EnumSet.noneOf(ConnectionState.class);
  }

  private static void allow(ConnectionState from, ConnectionState... to) {
    Set<ConnectionState> s = EnumSet.of(CLOSED);
    s.addAll(Set.of(to));
    from.next = s;
  }

  /** Whether a connection in this state may move to {@code target}. */
  boolean canMoveTo(ConnectionState target) {
    return next.contains(target);
  }
}
