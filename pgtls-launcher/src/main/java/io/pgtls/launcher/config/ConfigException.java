package io.pgtls.launcher.config;

/**
 * A configuration file that cannot be used. The message is complete and meant for the operator:
 * it names the file, the line when known, and the key, e.g. {@code pgtls.toml:14:
 * proxy[1].listener.mtls: expected a boolean, got string "yes"}.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
