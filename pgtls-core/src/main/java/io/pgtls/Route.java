package io.pgtls;

import io.pgtls.tls.TlsEngineFactory;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where a {@link Listener}'s clients are relayed: the backend PostgreSQL, the TLS toward it, the
 * connect timeout and the session limits. Immutable; built with {@link #builder(String)} and
 * validated by {@link PgTlsProxy.Builder#build()}.
 *
 * <p>A route added with {@link PgTlsProxy.Builder#route(Route)} gets a listener of its own, made
 * from the listener settings of this builder ({@link Builder#listen}, {@link Builder#tls}, the
 * startup and handshake timeouts, the plaintext policies). A route added to a {@link Listener}
 * leaves them unset: there they are the listener's.
 */
public final class Route {
  static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
  static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final HostPort listen;
  private final ListenerTls listenerTls;
  private final HostPort backend;
  private final BackendTls backendTls;
  private final Duration startupTimeout;
  private final Duration handshakeTimeout;
  private final Duration connectTimeout;
  private final boolean allowPlaintextCancel;
  private final int maxConnections;
  private final Duration idleTimeout;
  private final boolean allowPlaintextClients;
  private final Set<String> listenerSettings;
  private final List<String> serverNames;
  private final ClientIdentity clientIdentity;
  private final ProxyProtocol proxyProtocol;
  private final List<String> allowedSources;
  private final ProxyProtocol.Versions backendProxyProtocol;
  private final OnReload onReload;
  /** Null: the proxy's ({@link PgTlsProxy.Builder#tlsEngine}). */
  private final TlsEngineFactory tlsEngine;

  /**
   * What a reconfiguration that removes the route, or changes its backend, does to the route's live
   * sessions. Sessions a reload denies access (an address no longer allowed, a certificate no longer
   * trusted or mapped) are ended at once whatever this says.
   */
  public enum OnReload {
    /** They go on to the backend they have. */
    KEEP,
    /**
     * Each is ended at its next idle point (ReadyForQuery, not in a transaction): FATAL 57P01
     * {@code terminating connection due to administrator command} to the client, Terminate to the
     * backend; at the reconfiguration's drain deadline at the latest.
     */
    DRAIN,
    /** They are ended at once, with the same FATAL. */
    CLOSE
  }

  private Route(Builder b) {
    this.tlsEngine = b.tlsEngine;
    this.onReload = b.onReload;
    this.backendProxyProtocol = b.backendProxyProtocol;
    this.proxyProtocol = b.proxyProtocol;
    this.allowedSources = b.allowedSources;
    this.clientIdentity = b.clientIdentity;
    this.listenerSettings = Collections.unmodifiableSet(new LinkedHashSet<>(b.listenerSettings));
    this.serverNames = b.serverNames;
    this.allowPlaintextClients = b.allowPlaintextClients;
    this.maxConnections = b.maxConnections;
    this.idleTimeout = b.idleTimeout;
    this.name = b.name;
    this.listen = b.listen;
    this.listenerTls = b.listenerTls;
    this.backend = b.backend;
    this.backendTls = b.backendTls;
    this.startupTimeout = b.startupTimeout;
    this.handshakeTimeout = b.handshakeTimeout;
    this.connectTimeout = b.connectTimeout;
    this.allowPlaintextCancel = b.allowPlaintextCancel;
  }

  /** A route named {@code name}; the name appears in every log line of its connections. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** The TLS engine of this route's two legs; null for the proxy's ({@link PgTlsProxy.Builder#tlsEngine}). */
  public TlsEngineFactory tlsEngine() {
    return tlsEngine;
  }

  public HostPort listen() {
    return listen;
  }

  public ListenerTls listenerTls() {
    return listenerTls;
  }

  public HostPort backend() {
    return backend;
  }

  public BackendTls backendTls() {
    return backendTls;
  }

  /** Time from accept to a complete first packet (SSLRequest and, inside TLS, StartupMessage). */
  public Duration startupTimeout() {
    return startupTimeout;
  }

  /** Time allowed for each TLS handshake, client side and backend side. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** Time allowed to open the connection to the backend (DNS included). */
  public Duration connectTimeout() {
    return connectTimeout;
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
   * StartupMessage gets FATAL 28000. Only for routes whose client network is trusted.
   */
  public boolean allowPlaintextClients() {
    return allowPlaintextClients;
  }

  /** Sessions this route relays at once; 0 means only the proxy-wide limit applies. */
  public int maxConnections() {
    return maxConnections;
  }

  /** A relayed session with no bytes either way for this long is closed; zero means never. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** The listener settings this route's builder was given, by their builder method names. */
  Set<String> listenerSettings() {
    return listenerSettings;
  }

  /** The PROXY protocol policy of the route's own listener; null for direct clients. */
  public ProxyProtocol proxyProtocol() {
    return proxyProtocol;
  }

  /** What a reconfiguration that removes the route or changes its backend does to its live sessions. */
  public OnReload onReload() {
    return onReload;
  }

  /** The PROXY protocol header sent to the backend first (V1 or V2), or null for none. */
  public ProxyProtocol.Versions backendProxyProtocol() {
    return backendProxyProtocol;
  }

  /** The client addresses (CIDRs) allowed on this route; empty allows every address. */
  public List<String> allowedSources() {
    return allowedSources;
  }

  /** How client certificates map to database users; null when they do not. */
  public ClientIdentity clientIdentity() {
    return clientIdentity;
  }

  /** The server names this route serves on a shared listener; empty for the listener's default route. */
  public List<String> serverNames() {
    return serverNames;
  }

  /**
   * Equal when every setting is, as given: name, listener settings, backend, TLS both ways (paths
   * compared, files not read), timeouts, limits, server names and allowed sources (in order), the
   * identity rule and the PROXY protocol both ways.
   *
   * <p>{@link #listenerSettings()} counts too, although it only records which listener settings the
   * builder was given: a route given {@code startupTimeout(60s)} behaves as one left at the default
   * of 60s on a listener of its own, but on a {@link Listener} only the second is accepted (the
   * first is refused for setting what is the listener's). Equal routes must be interchangeable, so
   * they are not equal. {@code RouteDiff}, which compares what a running route does, looks at the
   * values only.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Route r && r.name.equals(name) && Objects.equals(r.listen, listen)
        && Objects.equals(r.listenerTls, listenerTls) && Objects.equals(r.backend, backend)
        && Objects.equals(r.backendTls, backendTls) && Objects.equals(r.startupTimeout, startupTimeout)
        && Objects.equals(r.handshakeTimeout, handshakeTimeout) && Objects.equals(r.connectTimeout, connectTimeout)
        && r.allowPlaintextCancel == allowPlaintextCancel && r.maxConnections == maxConnections
        && Objects.equals(r.idleTimeout, idleTimeout) && r.allowPlaintextClients == allowPlaintextClients
        && r.listenerSettings.equals(listenerSettings) && r.serverNames.equals(serverNames)
        && Objects.equals(r.clientIdentity, clientIdentity) && Objects.equals(r.proxyProtocol, proxyProtocol)
        && r.allowedSources.equals(allowedSources) && r.backendProxyProtocol == backendProxyProtocol
        && r.onReload == onReload && Objects.equals(engineName(r.tlsEngine), engineName(tlsEngine));
  }

  /** Engines are compared by name: two instances of one engine are the same engine. */
  private static String engineName(TlsEngineFactory engine) {
    return engine == null ? null : engine.name();
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, listen, listenerTls, backend, backendTls, startupTimeout, handshakeTimeout,
        connectTimeout, allowPlaintextCancel, maxConnections, idleTimeout, allowPlaintextClients, listenerSettings,
        serverNames, clientIdentity, proxyProtocol, allowedSources, backendProxyProtocol, onReload,
        engineName(tlsEngine));
  }

  @Override
  public String toString() {
    return "Route{" + name + ": " + listen + " -> " + backend + ", " + listenerTls + ", " + backendTls
        + (clientIdentity == null ? "" : ", " + clientIdentity) + (tlsEngine == null ? "" : ", tls_engine="
        + tlsEngine.name()) + "}";
  }

  /** Collects a route's settings; {@link PgTlsProxy.Builder#build()} validates them. */
  public static final class Builder {
    private final String name;
    private HostPort listen;
    private ListenerTls listenerTls;
    private HostPort backend;
    private BackendTls backendTls = BackendTls.verifyFull();
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private boolean allowPlaintextCancel = true;
    private int maxConnections;
    private Duration idleTimeout = Duration.ZERO;
    private boolean allowPlaintextClients;
    private final Set<String> listenerSettings = new LinkedHashSet<>();
    private List<String> serverNames = List.of();
    private ClientIdentity clientIdentity;
    private ProxyProtocol proxyProtocol;
    private List<String> allowedSources = List.of();
    private ProxyProtocol.Versions backendProxyProtocol;
    private OnReload onReload = OnReload.DRAIN;
    private TlsEngineFactory tlsEngine;

    private Builder(String name) {
      this.name = name;
    }

    /** Listen on {@code host:port}; port 0 picks a free port (see {@link PgTlsProxy#boundAddress}). */
    public Builder listen(String hostPort) {
      this.listen = HostPort.parse(hostPort);
      listenerSettings.add("listen");
      return this;
    }

    public Builder listen(HostPort address) {
      this.listen = Objects.requireNonNull(address, "address");
      listenerSettings.add("listen");
      return this;
    }

    /**
     * The TLS this route presents to its clients: its certificate and key, client-certificate
     * policy, versions and ciphers. On a {@link Listener} a route without it takes the listener's.
     */
    public Builder tls(ListenerTls tls) {
      this.listenerTls = tls;
      return this;
    }

    /**
     * The TLS server names (SNI) this route serves on a listener it shares with other routes:
     * exact names ({@code a.db.example.com}) and single-label wildcards ({@code
     * *.tenants.example.com}), ASCII case-insensitive, a trailing dot ignored; {@code "no_sni"}
     * takes the clients that send no server name (or an IP literal). A route that names none is
     * its listener's default route.
     */
    public Builder serverNames(String... patterns) {
      this.serverNames = List.of(patterns);
      return this;
    }

    public Builder serverNames(List<String> patterns) {
      this.serverNames = List.copyOf(patterns);
      return this;
    }

    /**
     * The backend PostgreSQL: {@code host:port}, or a Unix-domain socket as libpq names one (the
     * socket file {@code /var/run/postgresql/.s.PGSQL.5432}, or its directory with or without a
     * port: {@code /var/run/postgresql:5432}, {@code /var/run/postgresql}); see {@link
     * HostPort#parseBackend}. A Unix-domain socket needs {@link BackendTls#disabled()}.
     */
    public Builder backend(String address) {
      this.backend = HostPort.parseBackend(address);
      return this;
    }

    public Builder backend(HostPort address) {
      this.backend = Objects.requireNonNull(address, "address");
      return this;
    }

    /** TLS toward the backend; default {@link BackendTls#verifyFull()}. */
    public Builder backendTls(BackendTls tls) {
      this.backendTls = tls;
      return this;
    }

    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = timeout;
      listenerSettings.add("startupTimeout");
      return this;
    }

    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = timeout;
      listenerSettings.add("handshakeTimeout");
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public Builder allowPlaintextCancel(boolean allow) {
      this.allowPlaintextCancel = allow;
      listenerSettings.add("allowPlaintextCancel");
      return this;
    }

    /**
     * At most this many sessions at once on this route (0: no route limit); beyond it a client
     * gets FATAL 53300 "sorry, too many clients already", as from PostgreSQL.
     */
    public Builder maxConnections(int max) {
      this.maxConnections = max;
      return this;
    }

    /**
     * Relays clients that connect without TLS too (default: refused with FATAL 28000). Never
     * together with required client certificates: that would make mTLS optional.
     */
    public Builder allowPlaintextClients(boolean allow) {
      this.allowPlaintextClients = allow;
      listenerSettings.add("allowPlaintextClients");
      return this;
    }

    /** Closes a relayed session idle (no bytes either way) for this long; zero (default) never does. */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }

    /**
     * Ties client certificates to database users (see {@link ClientIdentity}); the route's listener
     * TLS must ask for client certificates.
     */
    public Builder clientIdentity(ClientIdentity identity) {
      this.clientIdentity = Objects.requireNonNull(identity, "identity");
      return this;
    }

    /**
     * A listener setting: read a PROXY protocol header first on every connection from a trusted
     * load balancer (see {@link ProxyProtocol}).
     */
    public Builder proxyProtocol(ProxyProtocol policy) {
      this.proxyProtocol = Objects.requireNonNull(policy, "policy");
      listenerSettings.add("proxyProtocol");
      return this;
    }

    /**
     * Only clients from these addresses (CIDRs such as {@code 10.0.0.0/8} or {@code
     * 2001:db8::/32}, or single addresses) may use the route: the real client address, from the
     * PROXY protocol header where there is one. Others get FATAL 28000 after their StartupMessage.
     */
    public Builder allowedSources(List<String> cidrs) {
      this.allowedSources = List.copyOf(cidrs);
      return this;
    }

    /**
     * Send the backend a PROXY protocol header ({@code V1} or {@code V2}) naming the real client,
     * before anything else: for a chain of proxies (HAProxy, Envoy, another pgtls) in front of the
     * database. Off by default: PostgreSQL up to 18 and PgBouncer do not read it and would refuse the
     * connection ("invalid length of startup packet").
     */
    public Builder backendProxyProtocol(ProxyProtocol.Versions version) {
      this.backendProxyProtocol = Objects.requireNonNull(version, "version");
      return this;
    }

    /** See {@link OnReload}; default {@link OnReload#DRAIN}. */
    public Builder onReload(OnReload policy) {
      this.onReload = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * The TLS engine of this route's client and backend legs, in place of the proxy's ({@link
     * PgTlsProxy.Builder#tlsEngine}); null (the default) takes the proxy's.
     */
    public Builder tlsEngine(TlsEngineFactory engine) {
      this.tlsEngine = engine;
      return this;
    }

    /** See {@link #allowedSources(List)}. */
    public Builder allowedSources(String... cidrs) {
      return allowedSources(List.of(cidrs));
    }

    /** Builds the route; {@link PgTlsProxy.Builder#build()} does the validation. */
    public Route build() {
      return new Route(this);
    }
  }
}
