package io.pgtls;

import java.util.Optional;

/**
 * A configuration or start-up failure of a {@link PgTlsProxy}. The message always names the route
 * (or listener) and the setting at fault, e.g. {@code route 'main': listener server_cert/server_key:
 * /etc/pgtls/proxy.key: file does not exist}. When one setting of one route is at fault, {@link
 * #route()} and {@link #setting()} name them too, so that a caller holding the configuration's
 * source (the launcher's TOML file) can point at where the setting is written.
 */
public class PgTlsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String route;
  private final String setting;

  public PgTlsException(String message) {
    this(message, null, null, null);
  }

  public PgTlsException(String message, Throwable cause) {
    this(message, null, null, cause);
  }

  private PgTlsException(String message, String route, String setting, Throwable cause) {
    super(message, cause);
    this.route = route;
    this.setting = setting;
  }

  /**
   * A failure of {@code setting} of route {@code route}: the message is {@code route 'name':
   * detail}. Settings are named as in the launcher's TOML, relative to a {@code [[proxy]]} table:
   * {@code backend.address}, {@code listener.server_key}.
   */
  public static PgTlsException ofSetting(String route, String setting, String detail) {
    return ofSetting(route, setting, detail, null);
  }

  public static PgTlsException ofSetting(String route, String setting, String detail, Throwable cause) {
    return new PgTlsException("route '" + route + "': " + detail, route, setting, cause);
  }

  /** A failure of {@code setting} of a listener built with {@link Listener#builder}, which no route's settings hold. */
  static PgTlsException ofListener(HostPort address, String setting, String detail) {
    return new PgTlsException("listener " + address + ": " + detail, null, setting, null);
  }

  /** The route whose setting is at fault, when the failure is one route's. */
  public Optional<String> route() {
    return Optional.ofNullable(route);
  }

  /** The setting at fault ({@code backend.address}), when the failure is one setting's. */
  public Optional<String> setting() {
    return Optional.ofNullable(setting);
  }
}
