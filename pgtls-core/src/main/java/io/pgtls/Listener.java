package io.pgtls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One listening address and what every client arriving there goes through before a route takes
 * over: the TLS pgtls presents, the startup and handshake timeouts, and whether plaintext clients
 * and plaintext cancel requests are accepted. It owns its {@link Route}s (backend, backend TLS,
 * connect timeout, limits, the server names it serves, and optionally TLS of its own that replaces
 * the listener's). Several routes on one listener are chosen by the TLS server name the client
 * asks for ({@link Route.Builder#serverNames}). Immutable; built with {@link #builder(String)} and
 * validated by {@link PgTlsProxy.Builder#build()}.
 *
 * <pre>{@code
 * Listener.builder("0.0.0.0:6432")
 *     .tls(ListenerTls.pem(Path.of("proxy.crt"), Path.of("proxy.key")))
 *     .route(Route.builder("main").backend("db.example.com:5432").build())
 *     .build()
 * }</pre>
 */
public final class Listener {
  private final HostPort address;
  private final ListenerTls tls;
  private final Duration startupTimeout;
  private final Duration handshakeTimeout;
  private final boolean allowPlaintextCancel;
  private final boolean allowPlaintextClients;
  private final ProxyProtocol proxyProtocol;
  private final List<Route> routes;
  /** Made by {@link PgTlsProxy.Builder#route(Route)} from the route's own listener settings. */
  private final boolean ofRoute;

  private Listener(Builder b, List<Route> routes, boolean ofRoute) {
    this.address = b.address;
    this.tls = b.tls;
    this.startupTimeout = b.startupTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.allowPlaintextCancel = b.allowPlaintextCancel;
    this.allowPlaintextClients = b.allowPlaintextClients;
    this.proxyProtocol = b.proxyProtocol;
    this.routes = List.copyOf(routes);
    this.ofRoute = ofRoute;
  }

  /** A listener on {@code host:port}; port 0 picks a free port (see {@link PgTlsProxy#boundAddress}). */
  public static Builder builder(String hostPort) {
    return new Builder(HostPort.parse(hostPort));
  }

  public static Builder builder(HostPort address) {
    return new Builder(Objects.requireNonNull(address, "address"));
  }

  /**
   * The listener that {@code route}'s own listener settings describe, with the route as its only
   * one; routes of one fixed address are then grouped into one listener ({@code ListenerGroups}).
   */
  static Listener of(Route route) {
    Builder b = new Builder(route.listen())
        .tls(route.listenerTls())
        .startupTimeout(route.startupTimeout())
        .handshakeTimeout(route.handshakeTimeout())
        .allowPlaintextCancel(route.allowPlaintextCancel())
        .allowPlaintextClients(route.allowPlaintextClients())
        .proxyProtocol(route.proxyProtocol());
    return new Listener(b, List.of(route), true);
  }

  public HostPort address() {
    return address;
  }

  /** The TLS of routes that have none of their own; may be null when every route has its own. */
  public ListenerTls tls() {
    return tls;
  }

  /** Time from accept to a complete first packet (SSLRequest and, inside TLS, StartupMessage). */
  public Duration startupTimeout() {
    return startupTimeout;
  }

  /** Time allowed for each TLS handshake, client side and backend side. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /**
   * Whether a plaintext CancelRequest is accepted as the first packet. psql ≤ 16, pgjdbc and
   * node-postgres send cancels in plaintext even under sslmode=require, so this is on by default.
   */
  public boolean allowPlaintextCancel() {
    return allowPlaintextCancel;
  }

  /**
   * Whether clients that do not ask for TLS are relayed anyway. Off by default: a plaintext
   * StartupMessage gets FATAL 28000. Only for listeners whose client network is trusted.
   */
  public boolean allowPlaintextClients() {
    return allowPlaintextClients;
  }

  /** The PROXY protocol policy, or null when clients connect directly. */
  public ProxyProtocol proxyProtocol() {
    return proxyProtocol;
  }

  /** The routes, in the order they were added. */
  public List<Route> routes() {
    return routes;
  }

  /** This listener made from routes' own settings, with {@code route} added as one more of its routes. */
  Listener with(Route route) {
    List<Route> all = new ArrayList<>(routes);
    all.add(route);
    Builder b = new Builder(address)
        .tls(tls)
        .startupTimeout(startupTimeout)
        .handshakeTimeout(handshakeTimeout)
        .allowPlaintextCancel(allowPlaintextCancel)
        .allowPlaintextClients(allowPlaintextClients)
        .proxyProtocol(proxyProtocol);
    return new Listener(b, all, ofRoute);
  }

  /** The first route whose settings hold this listener's, if the listener was made from routes. */
  String ownRoute() {
    return ofRoute ? routes.get(0).name() : null;
  }

  /**
   * Equal when address, TLS, timeouts, plaintext policies, PROXY protocol and routes (each equal,
   * in order: a route's place is its id in the cancel keys it mints) are, and both were made
   * the same way: a listener made from a route's own settings ({@link PgTlsProxy.Builder#route})
   * shares its address with other such routes and accepts a route that sets listener settings,
   * which one built with {@link #builder} does not, so the two are not interchangeable.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Listener l && l.ofRoute == ofRoute && Objects.equals(l.address, address)
        && Objects.equals(l.tls, tls) && Objects.equals(l.startupTimeout, startupTimeout)
        && Objects.equals(l.handshakeTimeout, handshakeTimeout) && l.allowPlaintextCancel == allowPlaintextCancel
        && l.allowPlaintextClients == allowPlaintextClients && Objects.equals(l.proxyProtocol, proxyProtocol)
        && l.routes.equals(routes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(address, tls, startupTimeout, handshakeTimeout, allowPlaintextCancel, allowPlaintextClients,
        proxyProtocol, routes, ofRoute);
  }

  @Override
  public String toString() {
    return "Listener{" + address + ", " + tls + ", routes=" + routes.stream().map(Route::name).toList() + "}";
  }

  /** Collects a listener's settings; {@link PgTlsProxy.Builder#build()} validates them. */
  public static final class Builder {
    private final HostPort address;
    private ListenerTls tls;
    private Duration startupTimeout = Route.DEFAULT_STARTUP_TIMEOUT;
    private Duration handshakeTimeout = Route.DEFAULT_HANDSHAKE_TIMEOUT;
    private boolean allowPlaintextCancel = true;
    private boolean allowPlaintextClients;
    private ProxyProtocol proxyProtocol;
    private final List<Route> routes = new ArrayList<>();

    private Builder(HostPort address) {
      this.address = address;
    }

    public Builder tls(ListenerTls tls) {
      this.tls = tls;
      return this;
    }

    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = timeout;
      return this;
    }

    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = timeout;
      return this;
    }

    public Builder allowPlaintextCancel(boolean allow) {
      this.allowPlaintextCancel = allow;
      return this;
    }

    /**
     * Relays clients that connect without TLS too (default: refused with FATAL 28000). Never
     * together with required client certificates: that would make mTLS optional.
     */
    public Builder allowPlaintextClients(boolean allow) {
      this.allowPlaintextClients = allow;
      return this;
    }

    /**
     * Read a PROXY protocol header first on every connection from a trusted load balancer (see
     * {@link ProxyProtocol}); null, the default, for clients that connect directly.
     */
    public Builder proxyProtocol(ProxyProtocol policy) {
      this.proxyProtocol = policy;
      return this;
    }

    /** A route for this listener's clients; its listener settings stay unset (they are the listener's). */
    public Builder route(Route route) {
      routes.add(Objects.requireNonNull(route, "route"));
      return this;
    }

    /** Builds the listener; {@link PgTlsProxy.Builder#build()} does the validation. */
    public Listener build() {
      return new Listener(this, routes, false);
    }
  }
}
