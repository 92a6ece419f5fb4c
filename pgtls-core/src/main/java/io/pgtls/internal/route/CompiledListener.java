package io.pgtls.internal.route;

import io.pgtls.HostPort;
import io.pgtls.Listener;
import java.util.List;

/**
 * A validated {@link Listener} with its routes compiled: what one listening socket hands its
 * connections to.
 */
public final class CompiledListener {
  private final Listener listener;
  private final List<CompiledRoute> routes;

  private CompiledListener(Listener listener, List<CompiledRoute> routes) {
    this.listener = listener;
    this.routes = routes;
  }

  /**
   * Loads the TLS material of {@code listener} and each of its routes; the message of any failure
   * names the route and setting. {@code proxySessions} is the proxy-wide session limit.
   */
  public static CompiledListener compile(Listener listener, Slots proxySessions) {
    return new CompiledListener(listener,
        listener.routes().stream().map(r -> CompiledRoute.compile(listener, r, proxySessions)).toList());
  }

  public HostPort address() {
    return listener.address();
  }

  public List<CompiledRoute> routes() {
    return routes;
  }

  /**
   * The route every connection of this listener takes. A listener has exactly one route until
   * routes are chosen by the server name the client asks for.
   */
  public CompiledRoute route() {
    return routes.get(0);
  }
}
