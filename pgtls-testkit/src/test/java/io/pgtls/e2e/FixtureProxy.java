package io.pgtls.e2e;

import io.pgtls.ListenerMetrics;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.testkit.junit.Startable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * pgtls with the routes one test class needs, as a {@code @StartStop} field. The routes are made
 * when it starts, because they name ports that exist only then: the fixture's servers', and those
 * of backends the class has to itself, which start before pgtls and close after it.
 */
final class FixtureProxy implements Startable {
  private final UnaryOperator<PgTlsProxy.Builder> settings;
  private final Supplier<List<Route>> routes;
  private final List<Startable> backends;
  private PgTlsProxy proxy;

  private FixtureProxy(UnaryOperator<PgTlsProxy.Builder> settings, Supplier<List<Route>> routes,
      List<Startable> backends) {
    this.settings = settings;
    this.routes = routes;
    this.backends = backends;
  }

  /** pgtls with these routes, in front of the fixture and of {@code backends}. */
  static FixtureProxy of(Supplier<List<Route>> routes, Startable... backends) {
    return new FixtureProxy(UnaryOperator.identity(), routes, List.of(backends));
  }

  /** The same, with proxy-wide settings of the test's own (such as a cancel key secret). */
  static FixtureProxy of(UnaryOperator<PgTlsProxy.Builder> settings, Supplier<List<Route>> routes,
      Startable... backends) {
    return new FixtureProxy(settings, routes, List.of(backends));
  }

  @Override
  public synchronized void start() {
    if (proxy != null) {
      return;
    }
    try {
      backends.forEach(Startable::start);
      PgTlsProxy.Builder b = settings.apply(PgTlsProxy.builder().name("e2e").loops(2));
      routes.get().forEach(b::route);
      proxy = b.build().start();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Closes pgtls, then the backends, last started first; each is closed even if another fails. */
  @Override
  public synchronized void close() {
    List<Runnable> closers = new ArrayList<>();
    backends.forEach(b -> closers.add(b::close));
    if (proxy != null) {
      closers.add(proxy::close);
      proxy = null;
    }
    RuntimeException failure = null;
    for (int i = closers.size() - 1; i >= 0; i--) {
      try {
        closers.get(i).run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  InetSocketAddress boundAddress(String route) {
    return running().boundAddress(route);
  }

  /** Reads every route's certificates, keys, CAs, CRLs and identity maps again. */
  java.util.Map<String, String> reloadCertificates() {
    return running().reloadCertificates();
  }

  List<String> routeNames() {
    return running().routeNames();
  }

  List<ListenerMetrics> listenerMetrics() {
    return running().listenerMetrics();
  }

  /** Every route's counters, in route order. */
  List<io.pgtls.RouteMetrics> metrics() {
    return running().metrics();
  }

  /** The refusals of the proxy's client limits, by reason. */
  java.util.Map<String, Long> limitRefusals() {
    return running().limitRefusals();
  }

  int activeConnections() {
    return running().activeConnections();
  }

  long buffersInUse() {
    return running().buffersInUse();
  }

  private synchronized PgTlsProxy running() {
    if (proxy == null) {
      throw new IllegalStateException("pgtls is not started (annotate the field with @StartStop)");
    }
    return proxy;
  }
}
