package io.pgtls.internal.conn;

import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.RouteCounters;
import io.pgtls.internal.route.ServerNames;

/**
 * Which route a connection takes, and where its events count meanwhile. On a listener with one
 * route the route is known at accept and everything counts on it, as it always has; on a listener
 * that chooses by server name the connection counts on the listener until its ClientHello (or, for
 * a cancel, its key) names a route, and on that route from then on.
 */
final class RouteChoice {
  private final CompiledListener listener;
  private CompiledRoute route;
  /** How the server name matched; null on a listener with one route. */
  private ServerNames.Kind match;

  RouteChoice(CompiledListener listener) {
    this.listener = listener;
    this.route = listener.soleRoute().orElse(null);
  }

  CompiledListener listener() {
    return listener;
  }

  /** The route, or null while none is chosen. */
  CompiledRoute route() {
    return route;
  }

  ServerNames.Kind match() {
    return match;
  }

  void accepted() {
    counters().accepted();
  }

  /**
   * Takes {@code chosen}, reached with server name {@code serverName} (null: none); true when the
   * connection had no route before (its log tag changes).
   */
  boolean choose(CompiledRoute chosen, ServerNames.Kind kind, String serverName) {
    boolean first = route == null;
    if (first) {
      route = chosen;
      match = kind;
      route.counters().accepted();
    }
    route.counters().matched(kind, serverName != null && !serverName.isEmpty());
    return first;
  }

  /**
   * Moves the connection to {@code target} (a cancel goes where its key leads, whatever server
   * name it came with); true when the route changed.
   */
  boolean moveTo(CompiledRoute target) {
    if (route == target) {
      return false;
    }
    if (route != null) {
      route.counters().closed();
    }
    route = target;
    route.counters().accepted();
    return true;
  }

  /** Where events count now: the route's counters, or the listener's until a route is chosen. */
  RouteCounters counters() {
    return route != null ? route.counters() : listener.counters();
  }

  void closed() {
    if (route != null) {
      route.counters().closed();
    }
    if (listener.soleRoute().isEmpty()) {
      listener.counters().closed();
    }
  }

  /** How log lines name the connection's place: {@code route 'a'} or {@code listener 127.0.0.1:6432}. */
  String describe() {
    return route != null ? "route '" + route.name() + "'" : "listener " + listener.address();
  }

  @Override
  public String toString() {
    return route != null ? route.name() : listener.address().toString();
  }
}
