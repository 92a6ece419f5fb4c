package io.pgtls.launcher;

import io.pgtls.HostPort;
import io.pgtls.launcher.config.PgTlsConfig;
import io.pgtls.launcher.config.RouteConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keeps the port a route was given for {@code bind_address = "host:0"} across reloads: the core
 * binds port 0 anew (another port) on each reconfiguration, so a reload that changes nothing about
 * such a route would move it. A route of the new configuration with port 0, the same name and the
 * same host as a running route is given that route's bound port instead.
 */
final class EphemeralPorts {
  private EphemeralPorts() {}

  /**
   * @param running the configuration in service
   * @param boundPort the port a running route is bound to, by route name; empty when it is not
   */
  static PgTlsConfig pin(PgTlsConfig running, PgTlsConfig next, Function<String, Optional<Integer>> boundPort) {
    List<RouteConfig> routes = new ArrayList<>();
    for (RouteConfig route : next.routes()) {
      HostPort bind = route.listener().bindAddress();
      Optional<RouteConfig> before = running.routes().stream().filter(r -> r.name().equals(route.name())).findFirst();
      Optional<Integer> port = bind.port() == 0 && before.isPresent()
          && before.get().listener().bindAddress().equals(bind)
          ? boundPort.apply(route.name()) : Optional.empty();
      routes.add(port.isPresent()
          ? route.withListener(route.listener().withBindAddress(HostPort.of(bind.host(), port.get())))
          : route);
    }
    return next.withRoutes(routes);
  }
}
