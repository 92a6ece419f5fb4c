package io.pgtls.launcher.config;

import java.util.List;
import java.util.Objects;

/** A whole configuration file: the log level and the routes ({@code [[proxy]]} tables) in order. */
public record PgTlsConfig(LogLevel logLevel, List<RouteConfig> routes) {
  public PgTlsConfig {
    Objects.requireNonNull(logLevel, "logLevel");
    routes = List.copyOf(routes);
  }

  @Override
  public String toString() {
    return "PgTlsConfig{log_level=" + logLevel.configName() + ", routes=" + routes + "}";
  }
}
