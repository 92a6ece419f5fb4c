package io.pgtls.interop;

/** One PostgreSQL client of the matrix, driven the way an application would drive it. */
interface InteropClient {

  /** As the test report shows it, e.g. "psql (libpq 17, sslnegotiation=direct)". */
  String name();

  /** Skips the calling test (fails it under CI=true) when the client is not installed. */
  void requireInstalled();

  /** Connects, authenticates, runs {@code sql} (one value), closes. */
  Outcome query(Endpoint endpoint, String sql);

  /**
   * Connects, runs {@code sql} (a long {@code pg_sleep}) and cancels it with the client's own
   * cancel mechanism; {@code running} returns once the server runs the statement, for clients
   * cancelled from outside. The outcome is that of the cancelled statement.
   */
  Outcome cancel(Endpoint endpoint, String sql, Runnable running);

  /**
   * A fragment of what the client reports for a statement its cancel ended: the server's 57014,
   * unless the client ends the call itself and discards the server's answer.
   */
  default String cancelledStatementError() {
    return "canceling statement due to user request";
  }

  /** How the client cancels, for the report. */
  String cancelMechanism();

  /** Sends its CancelRequest inside TLS (after an SSLRequest), not in plaintext. */
  default boolean cancelsInsideTls() {
    return false;
  }

  /** Has a way to cancel a running statement. */
  default boolean canCancel() {
    return true;
  }

  /** Negotiates TLS directly (no SSLRequest), so it has no plaintext mode to refuse. */
  default boolean directTls() {
    return false;
  }

  /** Has a setting that refuses to authenticate without SCRAM channel binding. */
  default boolean canRequireChannelBinding() {
    return false;
  }

  /** A fragment of the client's error when it does not trust the server's certificate. */
  String untrustedServerError();
}
