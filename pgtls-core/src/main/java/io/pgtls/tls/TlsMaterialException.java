package io.pgtls.tls;

/**
 * A certificate, key or CA file cannot be used.
 *
 * <p>The message is meant for the operator: it always names the file and says what is
 * wrong with it, e.g. {@code cannot read private key from /etc/pgtls/proxy.key: file does not exist}.
 */
public final class TlsMaterialException extends Exception {

  private static final long serialVersionUID = 1L;

  public TlsMaterialException(String message) {
    super(message);
  }

  public TlsMaterialException(String message, Throwable cause) {
    super(message, cause);
  }
}
