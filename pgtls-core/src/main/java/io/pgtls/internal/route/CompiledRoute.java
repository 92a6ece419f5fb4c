package io.pgtls.internal.route;

import io.pgtls.BackendTls;
import io.pgtls.HostPort;
import io.pgtls.Listener;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsException;
import io.pgtls.Route;
import io.pgtls.RouteMetrics;
import io.pgtls.internal.identity.IdentMapException;
import io.pgtls.internal.identity.IdentityCheck;
import io.pgtls.internal.proxy.CidrSet;
import java.net.InetAddress;
import io.pgtls.internal.tls.TlsSession;
import io.pgtls.tls.ClientTlsSpec;
import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.tls.TlsEngineMaker;
import io.pgtls.tls.TlsEngines;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.security.cert.CertificateException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validated {@link Route}, with the settings of the {@link Listener} it is reached through and
 * their TLS material loaded into SSLContexts, ready to make engines for each connection. Built
 * once, before anything binds, so a bad file fails the start; {@link #reload()} swaps in freshly
 * read material for new connections.
 */
public final class CompiledRoute {
  private static final Logger LOG = LoggerFactory.getLogger(CompiledRoute.class);

  private final Listener listener;
  private final Route route;
  private final String backendServerName;
  private final RouteCounters counters;
  /** The sessions relaying on this route now, for a reconfiguration to keep, drain, end or re-check. */
  private final Set<LiveSession> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean channelBindingWarned = new AtomicBoolean();
  private final Slots sessions;
  private final Slots proxySessions;
  /** The client addresses the route admits; empty admits all. */
  private final CidrSet allowedSources;
  /** The engine of both legs: the route's own, else the proxy's. */
  private final TlsEngineFactory engine;
  private volatile RouteTls tls;
  /** The client-certificate policy and identity rule; null when the route asks for no certificates. */
  private volatile IdentityCheck identity;

  private CompiledRoute(Listener listener, Route route, Slots proxySessions, RouteTls tls, IdentityCheck identity,
      RouteCounters counters) {
    this.engine = tls.engine;
    this.counters = counters;
    this.identity = identity;
    this.listener = listener;
    this.route = route;
    this.sessions = new Slots(route.maxConnections());
    this.proxySessions = proxySessions;
    this.allowedSources = CidrSet.parse(route.allowedSources());
    this.tls = tls;
    this.backendServerName = route.backendTls().serverName().orElse(route.backend().host());
  }

  /**
   * Loads every certificate and key of {@code route} on {@code listener}; the message of any
   * failure names the route and setting. {@code proxySessions} is the proxy-wide session limit
   * every route shares.
   */
  public static CompiledRoute compile(Listener listener, Route route, Slots proxySessions) {
    return compile(listener, route, proxySessions, new RouteCounters(), TlsEngines.jdk());
  }

  /**
   * As {@link #compile(Listener, Route, Slots)}, counting on {@code counters}: a route that a
   * reconfiguration changes keeps its counters, so they never go backwards. {@code proxyEngine}
   * serves the route unless it names an engine of its own.
   */
  public static CompiledRoute compile(Listener listener, Route route, Slots proxySessions, RouteCounters counters,
      TlsEngineFactory proxyEngine) {
    TlsEngineFactory engine = route.tlsEngine() != null ? route.tlsEngine() : proxyEngine;
    RouteTls tls = RouteTls.load(listener, route, engine);
    try {
      return new CompiledRoute(listener, route, proxySessions, tls, identityCheck(listener, route), counters);
    } catch (RuntimeException e) {
      tls.retire();
      throw e;
    }
  }

  /** The TLS engine of both legs of this route. */
  public TlsEngineFactory tlsEngine() {
    return engine;
  }

  /**
   * No new sessions will be made on this route (a reconfiguration replaced it, or the proxy
   * closed): its engine makers are retired, and free their contexts once live sessions end.
   */
  public void retire() {
    tls.retire();
  }

  /** The route's {@link Listener}: its settings, as this route was compiled with them. */
  public Listener listener() {
    return listener;
  }

  /**
   * Reads the route's files again without putting them in service: {@link Runnable#run()} on the
   * result does that. A reconfiguration reads everything first, and swaps only when all of it loads.
   */
  public Runnable stageReload() {
    RouteTls freshTls = RouteTls.load(listener, route, engine);
    IdentityCheck freshIdentity;
    try {
      freshIdentity = identityCheck(listener, route);
    } catch (RuntimeException e) {
      freshTls.retire();
      throw e;
    }
    return () -> {
      RouteTls replaced = tls;
      tls = freshTls;
      identity = freshIdentity;
      replaced.retire();
    };
  }

  public void register(LiveSession session) {
    live.add(session);
  }

  public void unregister(LiveSession session) {
    live.remove(session);
  }

  /** The sessions relaying on this route now. */
  public List<LiveSession> liveSessions() {
    return List.copyOf(live);
  }

  /**
   * Why a session admitted with {@code facts} would not be admitted now (after a reload narrowed
   * the route's access): its address outside allowed_sources, its certificate no longer trusted or
   * revoked, or its identity no longer mapped to its user. Empty when it still would.
   */
  public Optional<String> refuses(LiveSession.Facts facts) {
    if (!allowsSource(facts.clientAddress())) {
      return Optional.of("host " + facts.clientAddress().getHostAddress() + " is no longer in allowed_sources");
    }
    X509Certificate[] chain = facts.clientCertificates();
    RouteTls material = tls;
    if (chain.length > 0 && listenerTls().mtls()) {
      try {
        material.clientTrust.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
      } catch (CertificateException e) {
        return Optional.of("its client certificate no longer passes client_ca/client_crl: " + e.getMessage());
      }
    }
    IdentityCheck check = identity;
    if (check != null) {
      IdentityCheck.Verdict v = check.check(chain.length > 0 ? chain[0] : null, facts.user());
      if (!v.allowed()) {
        return Optional.of("its certificate no longer admits user \"" + facts.user() + "\": " + v.reason());
      }
    }
    return Optional.empty();
  }

  /** Compiles the route's identity rule, reading its map file; null without client certificates. */
  private static IdentityCheck identityCheck(Listener listener, Route route) {
    ListenerTls lt = route.listenerTls() != null ? route.listenerTls() : listener.tls();
    if (lt == null || lt.clientCertificates().isEmpty()) {
      return null;
    }
    try {
      return IdentityCheck.compile(lt.clientCertificates().get().mode(), route.clientIdentity());
    } catch (IdentMapException e) {
      throw PgTlsException.ofSetting(route.name(), route.clientIdentity().mapFile() != null ? "identity.map_file"
          : "identity.map_lines", "identity map '" + route.clientIdentity().mapName() + "': " + e.getMessage(), e);
    }
  }

  /**
   * Reads the route's certificate, key and CA files again; new connections get the new material,
   * live ones keep theirs. If anything cannot be loaded, the old material stays in service and
   * the {@link PgTlsException} says why.
   */
  public void reload() {
    stageReload().run();
  }

  /**
   * Who may open a session with which client certificate (read at each new session, so a reload
   * applies to the next one); null when the route asks for no client certificates.
   */
  public IdentityCheck identityCheck() {
    return identity;
  }

  /** The leaf certificate this route presents to its clients. */
  public X509Certificate listenerCertificate() {
    return tls.listenerIdentity.leaf();
  }

  /** The route's counters as a snapshot. */
  public RouteMetrics metrics() {
    RouteTls current = tls;
    return counters.snapshot(route.name(), current.certificateNotAfter, current.revocationListNextUpdate);
  }

  /**
   * Per client_crl file of the route (its path as configured), when its CRLs say their successors
   * are due: the earliest nextUpdate among them, {@link Instant#MAX} when they name none. Read
   * again with the certificates on {@link #reload()}; empty without client CRLs.
   */
  public Map<String, Instant> revocationListNextUpdate() {
    return tls.revocationListNextUpdate;
  }

  /**
   * Takes a session slot under the route's and the proxy's limits. Empty when taken (give it back
   * with {@link #releaseSession()}); otherwise why not, in words for the client's DETAIL.
   */
  public Optional<String> tryAcquireSession() {
    if (!sessions.tryAcquire()) {
      return Optional.of("route '" + name() + "' has reached its limit of " + sessions.max() + " connections");
    }
    if (!proxySessions.tryAcquire()) {
      sessions.release();
      return Optional.of("pgtls has reached its limit of " + proxySessions.max() + " connections");
    }
    return Optional.empty();
  }

  public void releaseSession() {
    sessions.release();
    proxySessions.release();
  }

  /** Whether a client at {@code address} (the real one, from a PROXY header where there is one) may use the route. */
  public boolean allowsSource(InetAddress address) {
    return allowedSources.isEmpty() || allowedSources.contains(address);
  }

  public RouteCounters counters() {
    return counters;
  }

  /**
   * Logs, once per route, that SCRAM-SHA-256-PLUS cannot pass it: the operator learns of it from
   * the first session (or the start-up probe), not from each user.
   */
  public void warnOnceAboutChannelBinding() {
    if (channelBindingWarned.compareAndSet(false, true)) {
      LOG.warn(channelBindingWarning());
    }
  }

  private String channelBindingWarning() {
    return "route '" + name() + "': pgtls presents a certificate that differs from backend " + backend()
        + "'s, so SCRAM channel binding (SCRAM-SHA-256-PLUS, chosen by default by libpq and pgjdbc >= 42.7.4) "
        + "cannot succeed on this route: such clients get a FATAL from pgtls. Give the route the backend's own "
        + "certificate and key, use a plaintext backend leg, or have clients set channel_binding=disable";
  }

  public String name() {
    return route.name();
  }

  public Route route() {
    return route;
  }

  /** The address of the listener this route is reached through. */
  public HostPort listen() {
    return listener.address();
  }

  public HostPort backend() {
    return route.backend();
  }

  /** Time from accept to a complete first packet, before TLS and again inside it. */
  public Duration startupTimeout() {
    return listener.startupTimeout();
  }

  /** Time allowed for each TLS handshake, with the client and with the backend. */
  public Duration handshakeTimeout() {
    return listener.handshakeTimeout();
  }

  /** Time allowed to resolve and connect the backend. */
  public Duration connectTimeout() {
    return route.connectTimeout();
  }

  /** How long a relayed session may move no byte; zero means no limit. */
  public Duration idleTimeout() {
    return route.idleTimeout();
  }

  public boolean allowPlaintextCancel() {
    return listener.allowPlaintextCancel();
  }

  public boolean allowPlaintextClients() {
    return listener.allowPlaintextClients();
  }

  /** How the backend leg's TLS is set up; null for a plaintext backend leg. */
  ClientTlsSpec backendSpec() {
    return tls.backendSpec;
  }

  public boolean backendTlsEnabled() {
    return route.backendTls().enabled();
  }

  /** The name the backend's certificate is checked against, and sent as SNI. */
  public String backendServerName() {
    return backendServerName;
  }

  /** The TLS this route presents: its own, or its listener's. */
  public ListenerTls listenerTls() {
    return route.listenerTls() != null ? route.listenerTls() : listener.tls();
  }

  /**
   * A server-mode session for a new client connection, ALPN "postgresql" announced; its engine is
   * released when the session is ({@link TlsSession#release()}).
   *
   * @param clientOffersTls13 whether the client's ClientHello offers TLS 1.3 (see {@link
   *     TlsEngineMaker#newEngine(boolean)})
   */
  public TlsSession newListenerSession(boolean clientOffersTls13) {
    TlsEngineMaker maker = tls.listenerEngines;
    SSLEngine e = maker.newEngine(clientOffersTls13);
    return new TlsSession(e, () -> maker.release(e));
  }

  /** A client-mode session toward the backend, with SNI and (verify-full) host name checking. */
  public TlsSession newBackendSession() {
    TlsEngineMaker maker = tls.backendEngines;
    SSLEngine e = maker.newEngine();
    return new TlsSession(e, () -> maker.release(e));
  }

  public boolean backendDirectTls() {
    return route.backendTls().direct();
  }

  /** One phrase for the start-up log line: what TLS each leg uses. */
  public String describe() {
    ListenerTls lt = listenerTls();
    BackendTls bt = route.backendTls();
    String client = lt.clientCertificates().map(c -> "client TLS with " + c.mode().name().toLowerCase(Locale.ROOT)
        + " client certificates" + (c.revocationLists().isEmpty() ? "" : " (CRL checked)")
        + (route.clientIdentity() == null ? "" : " tied to users by " + route.clientIdentity().source()
        + (route.clientIdentity().mapName() == null ? "" : " through map '" + route.clientIdentity().mapName() + "'")))
        .orElse("client TLS");
    String backend = bt.enabled()
        ? "backend " + (bt.direct() ? "direct " : "") + "TLS "
            + (bt.verification() == BackendTls.Verification.VERIFY_FULL ? "verify-full" : "verify-ca")
            + " as '" + backendServerName + "'" + (bt.rootCa().isPresent() ? "" : " (JDK trust store)")
            + (bt.clientCertificate().isPresent() ? " with client certificate" : "")
        : "backend plaintext";
    return client + ", " + backend;
  }

  /**
   * The route's number on its listener (its place in configuration order), which minted cancel
   * keys carry: the same on every replica that shares the configuration.
   */
  public int routeId() {
    return listener.routes().indexOf(route);
  }

  /** The route's name, as messages about it name it. */
  @Override
  public String toString() {
    return name();
  }
}
