package io.pgtls.internal.conn;

import io.pgtls.HostPort;
import io.pgtls.internal.pg.ErrorResponse;
import io.pgtls.internal.route.Refusal;
import io.pgtls.internal.tls.ClientHelloPeek;
import io.pgtls.internal.conn.Rejection.Ending;
import org.slf4j.event.Level;

/**
 * Every way pgtls refuses a client or fails to reach a backend, in one table: the metric label,
 * the log line, the SQLSTATE, message, detail and hint the client sees (worded as PostgreSQL words
 * its own), and how the connection ends. The stages decide when; this says what.
 */
final class Refusals {
  private static final String SSLMODE_HINT = "Connect with sslmode=require or stronger.";

  private Refusals() {}

  // ---------------------------------------------------------------------------------------------
  // Before TLS

  /** CVE-2021-23214: bytes behind the SSLRequest that are not a ClientHello. */
  static Rejection unencryptedAfterSslRequest() {
    String message = "received unencrypted data after SSL request";
    return fatal(Refusal.UNENCRYPTED_AFTER_SSL_REQUEST, Level.WARN,
        "received unencrypted data after SSLRequest; refusing (possible man-in-the-middle)",
        ErrorResponse.PROTOCOL_VIOLATION, message,
        "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.", null);
  }

  static Rejection plaintextStartup(String route, String user, String database) {
    return plaintextStartup("route '" + route + "'", "this route", user, database);
  }

  /** On a listener whose routes are chosen by server name: a plaintext client has none. */
  static Rejection plaintextStartupOnListener(String listener, String user, String database) {
    return plaintextStartup("listener " + listener, "this listener", user, database);
  }

  private static Rejection plaintextStartup(String who, String self, String user, String database) {
    return fatal(Refusal.PLAINTEXT, Level.WARN, "refused a plaintext StartupMessage (user=" + user + ", database="
            + database + "): " + self + " requires TLS",
        ErrorResponse.INVALID_AUTHORIZATION_SPECIFICATION,
        "pgtls " + who + " requires an encrypted connection (SSL/TLS); this connection was not encrypted",
        null, "Connect with sslmode=require or stronger (sslmode=verify-full is recommended).");
  }

  static Rejection unsupportedProtocolInPlaintext(int major, int minor) {
    return fatal(Refusal.UNSUPPORTED_PROTOCOL, Level.WARN,
        "refused protocol " + major + "." + minor + " StartupMessage in plaintext", ErrorResponse.FEATURE_NOT_SUPPORTED,
        "unsupported frontend protocol " + major + "." + minor + ": pgtls supports protocol 3 over TLS only", null,
        SSLMODE_HINT);
  }

  /** Garbage or an impossible length before TLS: closed without a reply, as PostgreSQL does. */
  static Rejection invalidLengthInPlaintext(int length) {
    return silent(Refusal.INVALID_PACKET, Ending.NOW, Level.INFO,
        "invalid length of startup packet (" + length + "); closing", "invalid startup packet length " + length);
  }

  static Rejection plaintextCancel() {
    return silent(Refusal.PLAINTEXT_CANCEL, Ending.NOW, Level.WARN,
        "plaintext CancelRequest refused: this route accepts cancels only inside TLS", "plaintext CancelRequest refused");
  }

  /** A cancel this listener cannot route: its key was not minted here (a guess, another replica's secret). */
  static Rejection cancelWithUnknownKey(String how) {
    return silent(Refusal.CANCEL_UNKNOWN_KEY, Ending.NOW, Level.INFO, "CancelRequest (" + how + ") with a key no "
        + "session of this listener was given (a guess, or pgtls replicas with different cancel_key_secret); dropped",
        "cancel with an unknown key");
  }

  /** No complete first packet within startup_timeout, before TLS. */
  static Rejection startupTimeoutInPlaintext(long millis) {
    return silent(Refusal.STARTUP_TIMEOUT, Ending.NOW, Level.INFO,
        "timeout after " + millis + " ms receiving the startup packet", "startup timeout");
  }

  // ---------------------------------------------------------------------------------------------
  // The client's TLS handshake

  /** PostgreSQL completes the handshake and then closes a direct-SSL connection without ALPN "postgresql". */
  static Rejection directTlsWithoutAlpn() {
    return silent(Refusal.DIRECT_TLS_WITHOUT_ALPN, Ending.GRACEFUL, Level.WARN,
        "direct TLS connection without ALPN 'postgresql' refused", "direct TLS without ALPN");
  }

  /** The handshake failed; the client hears the TLS alert, and the log says why in words. */
  static Rejection clientHandshakeFailed(String why, String label) {
    return handshakeFailure(Ending.GRACEFUL, Level.WARN, "TLS handshake with the client failed: " + why,
        "client TLS handshake failed", label);
  }

  static Rejection clientHandshakeTimeout(long millis) {
    return handshakeFailure(Ending.NOW, Level.INFO, "timeout after " + millis + " ms the TLS handshake with the client",
        "client TLS handshake timeout", "timeout");
  }

  /** The ClientHello could not be read: not TLS, or malformed; a fatal alert says so. */
  static Rejection clientHelloUnreadable(ClientHelloPeek.Reason reason, String what) {
    String why = reason == ClientHelloPeek.Reason.NOT_HANDSHAKE
        ? "the client sent bytes that are not TLS after its SSLRequest (" + what + ")"
        : "the client's ClientHello cannot be read (" + what + ")";
    return handshakeFailure(Ending.GRACEFUL, Level.WARN, "TLS handshake with the client failed: " + why,
        "client TLS handshake failed", reason == ClientHelloPeek.Reason.NOT_HANDSHAKE ? "not_tls" : "bad_client_hello");
  }

  /**
   * No route of the listener serves the server name the client asked for (or, with no default
   * route, the lack of one): the client hears a TLS unrecognized_name alert.
   */
  static Rejection unrecognizedName(String serverName) {
    String asked = serverName == null ? "no server name" : "server name '" + serverName + "'";
    return new Rejection(Refusal.UNRECOGNIZED_NAME, Ending.GRACEFUL, Level.WARN, "the client asked for " + asked
        + ", which no route of this listener serves; refused with a TLS unrecognized_name alert", null, null, null, null,
        "unrecognized server name", "unrecognized_name");
  }

  // ---------------------------------------------------------------------------------------------
  // Inside TLS

  /**
   * PostgreSQL reads a second encryption request as a StartupMessage of protocol 1234.5679 (or
   * .5680) and refuses that version; pgtls answers the same way.
   */
  static Rejection encryptionRequestInsideTls(String kind, int major, int minor) {
    return fatal(Refusal.UNSUPPORTED_PROTOCOL, Level.WARN, "received " + kind + " inside an encrypted connection; refusing",
        ErrorResponse.FEATURE_NOT_SUPPORTED,
        "unsupported frontend protocol " + major + "." + minor + ": an encryption request inside an encrypted connection",
        null, null);
  }

  static Rejection unsupportedProtocolInsideTls(int major, int minor) {
    return fatal(Refusal.UNSUPPORTED_PROTOCOL, Level.WARN, "unsupported frontend protocol " + major + "." + minor,
        ErrorResponse.FEATURE_NOT_SUPPORTED,
        "unsupported frontend protocol " + major + "." + minor + ": server supports 3.0 to 3.2", null, null);
  }

  static Rejection invalidLengthInsideTls(int length) {
    return fatal(Refusal.INVALID_PACKET, Level.WARN, "invalid length of startup packet inside TLS (" + length + ")",
        ErrorResponse.PROTOCOL_VIOLATION, "invalid length of startup packet", null, null);
  }

  /** No complete first packet within startup_timeout, inside TLS. */
  static Rejection startupTimeoutInsideTls(long millis) {
    return silent(Refusal.STARTUP_TIMEOUT, Ending.GRACEFUL, Level.INFO,
        "timeout after " + millis + " ms receiving the startup packet inside TLS", "startup timeout");
  }

  /**
   * A route that requires client certificates, and a client that sent none: PostgreSQL's words for
   * {@code clientcert=verify-full} (auth.c), said after the StartupMessage as PostgreSQL says them.
   */
  static Rejection clientCertificateRequired(String user, String database, String why) {
    return fatal(Refusal.CLIENT_CERTIFICATE_REQUIRED, Level.WARN, "refused user=" + user + " database=" + database
        + ": " + why, ErrorResponse.INVALID_AUTHORIZATION_SPECIFICATION,
        "connection requires a valid client certificate", null, null);
  }

  /**
   * The certificate's identity may not log in as {@code user}. The client hears exactly what
   * PostgreSQL's {@code cert} authentication says; the identity, map line and reason go to the log.
   */
  static Rejection certificateAuthenticationFailed(String user, String database, String identity, String mapLine,
      String why) {
    return fatal(Refusal.CERTIFICATE_AUTHENTICATION, Level.WARN, "refused user=" + user + " database=" + database
        + ": certificate authentication failed: " + why + " (identity=" + (identity.isEmpty() ? "none" : identity)
        + ", map line=" + (mapLine.isEmpty() ? "none" : mapLine) + ")", ErrorResponse.INVALID_AUTHORIZATION_SPECIFICATION,
        "certificate authentication failed for user \"" + user + "\"", null, null);
  }

  /** The StartupMessage cannot carry the route's identity setting within PostgreSQL's limit. */
  static Rejection startupTooLongForIdentity(String user, String database, String why) {
    return fatal(Refusal.INVALID_PACKET, Level.WARN, "refused user=" + user + " database=" + database + ": " + why,
        ErrorResponse.PROTOCOL_VIOLATION, "invalid length of startup packet", null, null);
  }

  // ---------------------------------------------------------------------------------------------
  // Behind a load balancer, and the limits per client address

  static Rejection untrustedProxyPeer(String peer) {
    return silent(Refusal.UNTRUSTED_PROXY_PEER, Ending.NOW, Level.INFO, "connection from " + peer
        + ", which is not among proxy_protocol's trusted load balancers; closed", "peer is not a trusted proxy");
  }

  static Rejection invalidProxyHeader(String why) {
    return silent(Refusal.PROXY_HEADER, Ending.NOW, Level.WARN, "invalid PROXY protocol header from a trusted peer: "
        + why + "; closed", "invalid PROXY protocol header");
  }

  static Rejection proxyHeaderTimeout(long millis) {
    return silent(Refusal.PROXY_HEADER, Ending.NOW, Level.INFO, "no complete PROXY protocol header within " + millis
        + " ms (startup_timeout); closed", "PROXY protocol header timeout");
  }

  /** The route's allowed_sources do not hold the client's address; worded after pg_hba.conf's refusal. */
  static Rejection sourceNotAllowed(String route, String host, String user, String database) {
    return fatal(Refusal.SOURCE_NOT_ALLOWED, Level.WARN, "refused user=" + user + " database=" + database + ": host "
        + host + " is not in route '" + route + "''s allowed_sources", ErrorResponse.INVALID_AUTHORIZATION_SPECIFICATION,
        "pgtls route '" + route + "' does not accept connections from host \"" + host + "\"", null, null);
  }

  /** A cancel from an address the route does not admit: dropped, as a cancel is never answered. */
  static Rejection cancelFromSourceNotAllowed(String route, String host) {
    return silent(Refusal.SOURCE_NOT_ALLOWED, Ending.NOW, Level.INFO, "CancelRequest from host " + host
        + ", which route '" + route + "''s allowed_sources do not hold; dropped", "cancel from a source not allowed");
  }

  /** PostgreSQL's answer to a full server, for one address over its share. */
  static Rejection tooManyFromSource(String user, String database, String host, int open, int max) {
    String detail = "host " + host + " has " + open + " connections open through pgtls (max_connections_per_source "
        + max + ")";
    return fatal(Refusal.PER_SOURCE_CONNECTIONS, Level.WARN, "refused user=" + user + " database=" + database + ": "
        + detail, ErrorResponse.TOO_MANY_CONNECTIONS, "sorry, too many clients already", detail, null);
  }

  // A refusal a flood repeats is closed at once without a word, before any TLS work; the driver
  // logs it through the rate-limited flood log, so these log lines are its words.

  /** Too many connections opening at once, proxy-wide. */
  static Rejection pendingConnections(int max) {
    return flood(Refusal.PENDING_CONNECTIONS, "too many connections are opening at once (max_pending_connections "
        + max + ")");
  }

  /** New connections from one address above its handshake rate. */
  static Rejection handshakeRate(String host, double perSecond) {
    return flood(Refusal.HANDSHAKE_RATE, "new connections from " + host + " above its handshake rate (" + perSecond
        + "/s)");
  }

  /** CancelRequests from one address above its cancel rate: dropped. */
  static Rejection cancelRate(String host, double perSecond) {
    return flood(Refusal.CANCEL_RATE, "CancelRequests from " + host + " above its cancel rate (" + perSecond
        + "/s); dropped");
  }

  private static Rejection flood(Refusal reason, String why) {
    return silent(reason, Ending.NOW, Level.WARN, "refused: " + why, "refused: " + why);
  }

  /** PostgreSQL's own answer to a full server. */
  static Rejection tooManyConnections(String user, String database, String detail) {
    return fatal(Refusal.TOO_MANY_CONNECTIONS, Level.WARN, "refused user=" + user + " database=" + database + ": " + detail,
        ErrorResponse.TOO_MANY_CONNECTIONS, "sorry, too many clients already", detail + " (max_connections)", null);
  }

  /** The client chose SCRAM-SHA-256-PLUS and bound to pgtls's certificate, which the backend's differs from. */
  static Rejection channelBinding(String route, HostPort backend, String user) {
    String message = "SCRAM channel binding cannot pass pgtls route '" + route
        + "': the client bound to pgtls's certificate, and backend " + backend + " presents a different one";
    String hint = "Give this route the backend's own certificate and key (listener server_cert/server_key), "
        + "use a plaintext backend leg (tls_enabled = false), or connect with channel_binding=disable "
        + "(libpq) / channelBinding=disable (pgjdbc).";
    return fatal(Refusal.CHANNEL_BINDING, Level.WARN,
        "refused SCRAM-SHA-256-PLUS (user=" + user + "): " + message + ". " + hint,
        ErrorResponse.INVALID_AUTHORIZATION_SPECIFICATION, message, null, hint);
  }

  // ---------------------------------------------------------------------------------------------
  // A relayed session

  /**
   * A session pgtls ends because its route was removed or changed ({@code why}, a predicate of the
   * route: "was removed by a configuration reload"). The client hears what PostgreSQL says to a
   * session pg_terminate_backend ends (57P01), with a DETAIL naming the route and why; the backend
   * gets a Terminate. Both legs then close cleanly.
   */
  static Rejection drained(String route, String why) {
    String detail = "pgtls route '" + route + "' " + why;
    return new Rejection(Refusal.DRAINED, Ending.FATAL, Level.INFO, "session drained: " + detail,
        ErrorResponse.ADMIN_SHUTDOWN, "terminating connection due to administrator command", detail, null,
        "drained: " + detail, null);
  }

  // ---------------------------------------------------------------------------------------------
  // The backend

  static Rejection backendUnresolvable(String route, HostPort backend) {
    return backendFailure(Refusal.BACKEND_UNAVAILABLE, route, ErrorResponse.CONNECTION_FAILURE,
        "could not resolve backend host \"" + backend.host() + "\"", "Check backend.address of route '" + route + "'.");
  }

  static Rejection backendUnreachable(String route, HostPort backend, String lastError) {
    return backendFailure(Refusal.BACKEND_UNAVAILABLE, route, ErrorResponse.CONNECTION_FAILURE,
        "could not connect to backend " + backend + ": " + (lastError == null ? "no address" : lastError),
        backend.isUnixSocket()
            ? "Is the PostgreSQL server of route '" + route + "' running and accepting connections on that socket?"
            : "Is the PostgreSQL server of route '" + route + "' running and accepting TCP connections?");
  }

  static Rejection backendConnectTimeout(String route, HostPort backend, long millis) {
    return backendFailure(Refusal.BACKEND_UNAVAILABLE, route, ErrorResponse.CONNECTION_FAILURE,
        "could not connect to backend " + backend + " within " + millis + " ms",
        "Is the PostgreSQL server of route '" + route + "' reachable from pgtls? (connect_timeout)");
  }

  static Rejection backendClosedOnSslRequest(String route, HostPort backend) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.CONNECTION_FAILURE,
        "backend " + backend + " closed the connection in answer to SSLRequest", null);
  }

  /** CVE-2021-23222: a ServerHello cannot legitimately arrive before our ClientHello. */
  static Rejection backendDataAfterS(String route, HostPort backend) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.PROTOCOL_VIOLATION,
        "backend " + backend + " sent unencrypted data after its SSL response", null);
  }

  static Rejection backendRefusedTls(String route, HostPort backend) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.UNABLE_TO_ESTABLISH_CONNECTION,
        "backend " + backend + " does not accept TLS (it answered N to SSLRequest), and route '" + route
            + "' requires TLS to it",
        "Enable ssl on that PostgreSQL server, or set tls_enabled = false for this route's backend.");
  }

  /** The text of an ErrorResponse before TLS is unauthenticated: it is logged as having come, never relayed. */
  static Rejection backendErrorOnSslRequest(String route, HostPort backend) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.CONNECTION_FAILURE,
        "backend " + backend + " answered SSLRequest with an error", null);
  }

  static Rejection backendUnexpectedAnswer(String route, HostPort backend, byte answer) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.CONNECTION_FAILURE, String.format(
        "backend %s answered SSLRequest with unexpected byte 0x%02x; is it a PostgreSQL server?", backend, answer & 0xFF),
        null);
  }

  static Rejection backendHandshakeFailed(String route, HostPort backend, String why) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.CONNECTION_FAILURE,
        "pgtls could not establish TLS with backend " + backend + ": " + why, null);
  }

  static Rejection backendWithoutAlpn(String route, HostPort backend) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.CONNECTION_FAILURE,
        "backend " + backend + " did not negotiate ALPN 'postgresql' for direct TLS",
        "direct_tls needs PostgreSQL 17 or newer.");
  }

  static Rejection backendClosedDuringHandshake(String route, HostPort backend, boolean directTls) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.CONNECTION_FAILURE,
        "backend " + backend + " closed the connection during the TLS handshake",
        directTls ? "direct_tls needs PostgreSQL 17 or newer; older servers close a connection "
            + "that starts with a TLS ClientHello." : null);
  }

  static Rejection backendHandshakeTimeout(String route, HostPort backend, long millis) {
    return backendFailure(Refusal.BACKEND_TLS, route, ErrorResponse.CONNECTION_FAILURE,
        "backend " + backend + " did not complete the TLS handshake within " + millis + " ms",
        "Is it a PostgreSQL server with ssl=on? (handshake_timeout)");
  }

  // ---------------------------------------------------------------------------------------------

  private static Rejection fatal(Refusal reason, Level level, String logLine, String sqlstate, String message,
      String detail, String hint) {
    return new Rejection(reason, Ending.FATAL, level, logLine, sqlstate, message, detail, hint, "refused: " + message,
        null);
  }

  private static Rejection silent(Refusal reason, Ending ending, Level level, String logLine, String closeReason) {
    return new Rejection(reason, ending, level, logLine, null, null, null, null, closeReason, null);
  }

  private static Rejection handshakeFailure(Ending ending, Level level, String logLine, String closeReason,
      String label) {
    return new Rejection(Refusal.CLIENT_TLS, ending, level, logLine, null, null, null, null, closeReason, label);
  }

  private static Rejection backendFailure(Refusal reason, String route, String sqlstate, String message, String hint) {
    return new Rejection(reason, Ending.BACKEND_FAILURE, Level.WARN, message + " (route '" + route + "')", sqlstate,
        message, null, hint, "refused: " + message, null);
  }
}
