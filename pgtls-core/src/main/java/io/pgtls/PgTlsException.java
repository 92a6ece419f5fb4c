package io.pgtls;

/**
 * A configuration or start-up failure of a {@link PgTlsProxy}. The message always names the route
 * and the setting at fault, e.g. {@code route 'main': listener.server_key /etc/pgtls/proxy.key: file
 * does not exist}.
 */
public class PgTlsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PgTlsException(String message) {
    super(message);
  }

  public PgTlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
