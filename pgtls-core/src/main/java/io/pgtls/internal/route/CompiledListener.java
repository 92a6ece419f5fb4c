package io.pgtls.internal.route;

import io.pgtls.HostPort;
import io.pgtls.Listener;
import io.pgtls.ListenerMetrics;
import io.pgtls.internal.pg.BackendKeyMinter;
import io.pgtls.internal.pg.CancelKeys;
import io.pgtls.internal.proxy.ProxyProtocolPolicy;
import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.tls.TlsEngines;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A validated {@link Listener} with its routes compiled: what one listening socket hands its
 * connections to, what they go through before a route is chosen (timeouts, plaintext policies),
 * and how a route is chosen from the server name a client asks for.
 */
public final class CompiledListener {
  private final Listener listener;
  private final List<CompiledRoute> routes;
  private final ServerNames<CompiledRoute> serverNames;
  private final RouteCounters counters = new RouteCounters();
  private final CancelKeys cancelKeys;
  private final SharedLimits limits;
  /** Null for a listener whose clients connect directly. */
  private final ProxyProtocolPolicy proxyProtocol;

  private CompiledListener(Listener listener, List<CompiledRoute> routes, CancelKeys cancelKeys, SharedLimits limits) {
    this.listener = listener;
    this.limits = limits;
    this.proxyProtocol = listener.proxyProtocol() == null ? null : ProxyProtocolPolicy.compile(listener.proxyProtocol());
    this.routes = routes;
    this.cancelKeys = cancelKeys;
    ServerNamesBuilder<CompiledRoute> names = ServerNames.builder();
    routes.forEach(r -> names.add(r, r.route().serverNames()));
    this.serverNames = names.build();
  }

  /**
   * Loads the TLS material of each of {@code listener}'s routes; the message of any failure names
   * the route and setting. {@code limits} are what every listener of the proxy counts against.
   */
  public static CompiledListener compile(Listener listener, SharedLimits limits, CancelKeys cancelKeys) {
    return compile(listener, limits, cancelKeys, TlsEngines.jdk());
  }

  /** As {@link #compile(Listener, SharedLimits, CancelKeys)}; {@code engine} serves the routes that name none. */
  public static CompiledListener compile(Listener listener, SharedLimits limits, CancelKeys cancelKeys,
      TlsEngineFactory engine) {
    return compile(listener, limits, cancelKeys, name -> new RouteCounters(), engine);
  }

  /**
   * As {@link #compile(Listener, SharedLimits, CancelKeys, TlsEngineFactory)}, each route counting
   * on {@code counters.apply(name)}; {@code engine} serves the routes that name no engine of their own.
   */
  public static CompiledListener compile(Listener listener, SharedLimits limits, CancelKeys cancelKeys,
      java.util.function.Function<String, RouteCounters> counters, TlsEngineFactory engine) {
    List<CompiledRoute> routes = new ArrayList<>();
    try {
      for (io.pgtls.Route r : listener.routes()) {
        routes.add(CompiledRoute.compile(listener, r, limits.proxySessions(), counters.apply(r.name()), engine));
      }
    } catch (RuntimeException e) {
      routes.forEach(CompiledRoute::retire);
      throw e;
    }
    return new CompiledListener(listener, List.copyOf(routes), cancelKeys, limits);
  }

  /** Its routes make no more engines (a reconfiguration replaced them, or the proxy closed). */
  public void retire() {
    routes.forEach(CompiledRoute::retire);
  }

  /** The cancel keys this listener mints with (a reconfiguration keeps them, so live sessions' keys stay valid). */
  public CancelKeys cancelKeys() {
    return cancelKeys;
  }

  /** The proxy-wide limits, per client address and in all. */
  public SharedLimits limits() {
    return limits;
  }

  /** The PROXY protocol policy, or null when clients connect directly. */
  public ProxyProtocolPolicy proxyProtocol() {
    return proxyProtocol;
  }

  /**
   * Whether this listener mints the cancel keys its clients see: when it has several routes, a
   * plaintext CancelRequest (no server name) finds its session's route only through its key.
   */
  public boolean mintsCancelKeys() {
    return soleRoute().isEmpty();
  }

  /** What mints the key a session of {@code route} shows its client in place of its backend's. */
  public BackendKeyMinter keyMinter(CompiledRoute route) {
    return BackendKeyMinter.of(cancelKeys, route.routeId());
  }

  /**
   * Where the cancel for a key this listener minted goes: the route and the backend's own pid and
   * key; empty for a key it did not mint (a guess, another secret, a route no longer configured).
   */
  public Optional<CancelTarget> cancelTarget(int pid, byte[] key) {
    Optional<CancelKeys.Decoded> d = cancelKeys.open(pid, key);
    if (d.isEmpty() || d.get().routeId() >= routes.size()) {
      return Optional.empty();
    }
    return Optional.of(new CancelTarget(routes.get(d.get().routeId()), d.get().backendPid(), d.get().backendKey()));
  }

  /** A decoded cancel: the route whose backend gets it, and what that backend issued. */
  public record CancelTarget(CompiledRoute route, int backendPid, byte[] backendKey) {}

  public HostPort address() {
    return listener.address();
  }

  public List<CompiledRoute> routes() {
    return routes;
  }

  /** The route every connection takes when the listener has only one: no server name to read first. */
  public Optional<CompiledRoute> soleRoute() {
    return routes.size() == 1 && !serverNames.routesByName() ? Optional.of(routes.get(0)) : Optional.empty();
  }

  /** The route for a client that asked for {@code serverName} (null: none), and how it matched; empty: none. */
  public Optional<ServerNames.Match<CompiledRoute>> route(String serverName) {
    return serverNames.match(serverName);
  }

  /**
   * For each route that names server names, the names its certificate does not cover: a client
   * checking verify-full that asks for one of them refuses pgtls.
   */
  public List<String> serverNameWarnings() {
    List<String> out = new ArrayList<>();
    for (CompiledRoute r : routes) {
      List<String> uncovered = CertificateCoverage.uncovered(r.listenerCertificate(), r.route().serverNames());
      if (!uncovered.isEmpty()) {
        out.add("route '" + r.name() + "': its certificate (" + r.listenerCertificate().getSubjectX500Principal().getName()
            + ") does not name " + String.join(", ", uncovered) + "; clients connecting with sslmode=verify-full to "
            + (uncovered.size() == 1 ? "that name" : "those names") + " will refuse pgtls");
      }
    }
    return out;
  }

  /** Which name goes to which route, in matching order, one line each. */
  public List<String> describeRouting() {
    return serverNames.describe();
  }

  /**
   * What happens to connections before (or instead of) reaching a route, on a listener that
   * chooses routes by server name; a listener with one route counts everything on it.
   */
  public RouteCounters counters() {
    return counters;
  }

  public ListenerMetrics metrics() {
    return counters.listenerSnapshot(address().toString());
  }

  public Duration startupTimeout() {
    return listener.startupTimeout();
  }

  public Duration handshakeTimeout() {
    return listener.handshakeTimeout();
  }

  public boolean allowPlaintextCancel() {
    return listener.allowPlaintextCancel();
  }

  public boolean allowPlaintextClients() {
    return listener.allowPlaintextClients();
  }

  @Override
  public String toString() {
    return "listener " + address();
  }
}
