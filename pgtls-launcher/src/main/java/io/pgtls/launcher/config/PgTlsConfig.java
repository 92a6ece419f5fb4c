package io.pgtls.launcher.config;

import io.pgtls.PgTlsException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole configuration: the process-wide settings and the routes ({@code [[proxy]]} tables) in
 * order.
 *
 * @param drainTimeout how long live sessions may run on after SIGTERM/SIGINT before they are cut
 * @param admin the HTTP endpoint for metrics and probes; absent means off
 * @param cryptoProvider which JCA provider does the TLS arithmetic (process-wide)
 * @param tlsEngine which TLS implementation serves every route (process-wide)
 * @param cancelKeySecret what listeners with several routes mint cancel keys from; absent: a random
 *     secret of this process
 * @param limits the {@code [limits]} table: limits per client address; absent: the core's defaults
 */
public record PgTlsConfig(LogLevel logLevel, LogFormat logFormat, Duration drainTimeout, Optional<AdminConfig> admin,
    List<RouteConfig> routes, Optional<Integer> maxConnections, Optional<Integer> loops,
    CryptoProvider cryptoProvider, TlsEngineChoice tlsEngine, Optional<CancelKeySecret> cancelKeySecret,
    Optional<LimitsConfig> limits) {
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  public PgTlsConfig {
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(logFormat, "logFormat");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(admin, "admin");
    routes = List.copyOf(routes);
    Objects.requireNonNull(maxConnections, "maxConnections");
    Objects.requireNonNull(loops, "loops");
    Objects.requireNonNull(cryptoProvider, "cryptoProvider");
    Objects.requireNonNull(tlsEngine, "tlsEngine");
    Objects.requireNonNull(cancelKeySecret, "cancelKeySecret");
    Objects.requireNonNull(limits, "limits");
  }

  /** Without a proxy-wide max_connections (the core's default applies). */
  public PgTlsConfig(LogLevel logLevel, LogFormat logFormat, Duration drainTimeout, Optional<AdminConfig> admin,
      List<RouteConfig> routes) {
    this(logLevel, logFormat, drainTimeout, admin, routes, Optional.empty(), Optional.empty(), CryptoProvider.AUTO,
        TlsEngineChoice.AUTO, Optional.empty(), Optional.empty());
  }

  /** Only a log level and routes; every other setting at its default. */
  public PgTlsConfig(LogLevel logLevel, List<RouteConfig> routes) {
    this(logLevel, LogFormat.TEXT, DEFAULT_DRAIN_TIMEOUT, Optional.empty(), routes);
  }

  /** The same configuration with {@code routes}. */
  public PgTlsConfig withRoutes(List<RouteConfig> routes) {
    return new PgTlsConfig(logLevel, logFormat, drainTimeout, admin, routes, maxConnections, loops, cryptoProvider,
        tlsEngine, cancelKeySecret, limits);
  }

  /** The same configuration with the admin endpoint at {@code admin}. */
  public PgTlsConfig withAdmin(AdminConfig admin) {
    return new PgTlsConfig(logLevel, logFormat, drainTimeout, Optional.of(admin), routes, maxConnections, loops,
        cryptoProvider, tlsEngine, cancelKeySecret, limits);
  }

  /**
   * The operator's message for a failure of the core's {@code build()} or {@code start()}: when it
   * names a setting of a route read from a file, prefixed with the {@code file:line} it is written
   * at, like the loader's own messages.
   */
  public String describe(PgTlsException e) {
    Optional<String> at = e.route()
        .flatMap(name -> routes.stream().filter(r -> r.name().equals(name)).findFirst())
        .flatMap(route -> e.setting().flatMap(route::locationOf));
    return at.map(location -> location + ": " + e.getMessage()).orElse(e.getMessage());
  }

  @Override
  public String toString() {
    return "PgTlsConfig{log_level=" + logLevel.configName() + ", log_format=" + logFormat.configName()
        + ", drain_timeout=" + Durations.format(drainTimeout) + ", crypto_provider=" + cryptoProvider.configName()
        + ", tls_engine=" + tlsEngine.configName()
        + admin.map(a -> ", " + a).orElse("")
        + ", routes=" + routes + "}";
  }
}
