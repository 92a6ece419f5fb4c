package io.pgtls.internal.conn;

import io.pgtls.internal.pg.ErrorResponse;
import io.pgtls.internal.route.Refusal;
import org.slf4j.event.Level;

/**
 * Why and how a connection is refused: the metric label, the proxy's log line, what the client is
 * told (a PostgreSQL FATAL, or nothing) and how the connection ends. Made only by {@link
 * Refusals}, the one table of them.
 *
 * @param sqlstate null when the client is told nothing
 * @param closeReason the driver's reason for the close, in its summary line
 * @param handshakeFailure why a client's TLS handshake failed, as a metric label; null for other refusals
 */
record Rejection(Refusal reason, Ending ending, Level level, String logLine, String sqlstate, String message,
    String detail, String hint, String closeReason, String handshakeFailure) {

  /** How the connection ends. */
  enum Ending {
    /** A FATAL ErrorResponse goes to the client, then both legs close cleanly. */
    FATAL,
    /** The backend could not be had: FATAL to a session's client, silence to a cancel's. */
    BACKEND_FAILURE,
    /** Nothing more is said; the legs close cleanly (close_notify, FIN). */
    GRACEFUL,
    /** The sockets close at once. */
    NOW
  }

  /** The ErrorResponse's bytes; only for FATAL and BACKEND_FAILURE. */
  byte[] errorResponse() {
    return ErrorResponse.fatal(sqlstate, message, detail, hint);
  }

  boolean tellsClient() {
    return sqlstate != null;
  }
}
