package io.pgtls.launcher.config;

import io.pgtls.Route;
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
 * @param onReload the {@code on_reload} key: what a reload that removes the route or changes its
 *     backend does to its live sessions
 */
public record RouteConfig(String name, ListenerConfig listener, BackendConfig backend,
    Optional<IdentityConfig> identity, Map<String, String> locations, Route.OnReload onReload) {
  public RouteConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(onReload, "onReload");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(identity, "identity");
    locations = Map.copyOf(locations);
  }

  /** With the default {@code on_reload = "drain"}. */
  public RouteConfig(String name, ListenerConfig listener, BackendConfig backend,
      Optional<IdentityConfig> identity, Map<String, String> locations) {
    this(name, listener, backend, identity, locations, Route.OnReload.DRAIN);
  }

  /** A route not read from a file, without an identity rule: its settings have no location. */
  public RouteConfig(String name, ListenerConfig listener, BackendConfig backend) {
    this(name, listener, backend, Optional.empty(), Map.of());
  }

  /** The same route with {@code listener}. */
  public RouteConfig withListener(ListenerConfig listener) {
    return new RouteConfig(name, listener, backend, identity, locations, onReload);
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
