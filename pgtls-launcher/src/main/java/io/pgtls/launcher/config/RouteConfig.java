package io.pgtls.launcher.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code [[proxy]]} table: a named listener and the backend it forwards to.
 *
 * @param identity the {@code [proxy.identity]} table: which users a client certificate may log in
 *     as; empty when the route does not tie certificates to users
 * @param locations where each setting is written ({@code file:line}), by its key path in the
 *     table ({@code backend.address}); empty for a route not read from a file
 */
public record RouteConfig(String name, ListenerConfig listener, BackendConfig backend,
    Optional<IdentityConfig> identity, Map<String, String> locations) {
  public RouteConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(identity, "identity");
    locations = Map.copyOf(locations);
  }

  /** A route not read from a file, without an identity rule: its settings have no location. */
  public RouteConfig(String name, ListenerConfig listener, BackendConfig backend) {
    this(name, listener, backend, Optional.empty(), Map.of());
  }

  /**
   * Where {@code setting} is written, or failing that the table it belongs in ({@code listener} for
   * {@code listener.idle_timeout}), as {@code file:line}.
   */
  public Optional<String> locationOf(String setting) {
    String key = setting;
    while (true) {
      String at = locations.get(key);
      if (at != null) {
        return Optional.of(at);
      }
      int dot = key.lastIndexOf('.');
      if (dot < 0) {
        return Optional.empty();
      }
      key = key.substring(0, dot);
    }
  }

  @Override
  public String toString() {
    return name + "{" + listener + " -> " + backend + identity.map(i -> " " + i).orElse("") + "}";
  }
}
