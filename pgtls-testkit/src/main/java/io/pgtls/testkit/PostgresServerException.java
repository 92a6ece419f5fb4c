package io.pgtls.testkit;

/** PostgreSQL could not be prepared, started or stopped; the message carries the log tail. */
public final class PostgresServerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PostgresServerException(String message) {
    super(message);
  }

  public PostgresServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
