package io.pgtls.launcher.config;

import java.util.Objects;

/** One {@code [[proxy]]} table: a named listener and the backend it forwards to. */
public record RouteConfig(String name, ListenerConfig listener, BackendConfig backend) {
  public RouteConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(backend, "backend");
  }

  @Override
  public String toString() {
    return name + "{" + listener + " -> " + backend + "}";
  }
}
