package io.pgtls;

import io.pgtls.internal.conn.Acceptor;
import io.pgtls.internal.loop.LoopGroup;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.pg.CancelKeys;
import io.pgtls.internal.route.SharedLimits;
import io.pgtls.internal.tls.ServerNameParsing;
import io.pgtls.tls.JdkTlsEngineFactory;
import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.tls.TlsEngines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running set of pgtls listeners: TLS listeners that speak PostgreSQL's startup protocol and
 * relay each session over one of their routes to a backend PostgreSQL, over TLS or plaintext.
 *
 * <pre>{@code
 * try (PgTlsProxy proxy = PgTlsProxy.builder()
 *     .route(Route.builder("main")
 *         .listen("127.0.0.1:6432")
 *         .tls(ListenerTls.pem(Path.of("proxy.crt"), Path.of("proxy.key")))
 *         .backend("db.example.com:5432")
 *         .backendTls(BackendTls.verifyFull(Path.of("db-ca.crt")))
 *         .build())
 *     .build()
 *     .start()) {
 *   ...
 * }
 * }</pre>
 *
 * A route added with {@link Builder#route(Route)} gets a listener of its own from its listener
 * settings; {@link Builder#listener(Listener)} adds a {@link Listener} that holds them itself.
 * {@link Builder#build()} validates every setting and loads every certificate and key, failing fast
 * with a message that names the route and the setting. {@link #start()} binds the listeners and
 * starts the selector loops; {@link #close()} stops them and closes every connection.
 */
public final class PgTlsProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgTlsProxy.class);

  private enum State { BUILT, RUNNING, CLOSED }

  private final String name;
  private final int loopCount;
  private volatile List<CompiledListener> listeners;
  private volatile List<CompiledRoute> routes;
  /** 1 for the configuration built, one more per {@link #reconfigure}. */
  private volatile long generation = 1;
  /** One per listener, in listener order. */
  private final List<Acceptor> acceptors = new ArrayList<>();
  /** Each route's listener's acceptor. */
  private final Map<String, Acceptor> acceptorByRoute = new LinkedHashMap<>();
  private LoopGroup loops;
  private State state = State.BUILT;
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Throwable failure;

  private final UnaryOperator<ByteChannel> channelWrapper;
  /** The engine of routes that name none, as built; a reconfiguration keeps it unless its builder names one. */
  private final TlsEngineFactory tlsEngine;

  private PgTlsProxy(String name, int loopCount, List<CompiledListener> listeners,
      UnaryOperator<ByteChannel> channelWrapper, TlsEngineFactory tlsEngine) {
    this.channelWrapper = channelWrapper;
    this.tlsEngine = tlsEngine;
    this.name = name;
    this.loopCount = loopCount;
    this.listeners = listeners;
    this.routes = listeners.stream().flatMap(l -> l.routes().stream()).toList();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the selector loops and binds every listener. If any listener cannot bind, the ones
   * already bound are closed again and a {@link PgTlsException} names its route and the cause.
   */
  public synchronized PgTlsProxy start() {
    if (state != State.BUILT) {
      throw new IllegalStateException("pgtls[" + name + "] is " + state + "; start() may be called once");
    }
    log.info("pgtls[{}] starting {} route(s) on {} loop(s); TLS engine: {}", name, routes.size(), loopCount,
        routes.stream().map(r -> r.tlsEngine().name() + " (" + r.tlsEngine().describe() + ")").distinct()
            .collect(java.util.stream.Collectors.joining(", ")));
    loops = new LoopGroup(name, loopCount, channelWrapper, this::loopFailed);
    try {
      int i = 0;
      for (CompiledListener listener : listeners) {
        Acceptor acceptor;
        try {
          acceptor = Acceptor.bind(name, listener, loops, loops.loop(i++ % loopCount));
        } catch (IOException e) {
          throw PgTlsException.ofSetting(listener.routes().get(0).name(), "listener.bind_address",
              "cannot listen on " + listener.address() + ": " + e.getMessage(), e);
        }
        acceptors.add(acceptor);
        for (CompiledRoute route : listener.routes()) {
          acceptorByRoute.put(route.name(), acceptor);
          log.info("pgtls[{}] route '{}' listening on {}{} -> {} ({})", name, route.name(),
              HostPort.format(acceptor.boundAddress()), route.route().serverNames().isEmpty() ? ""
              : " for " + String.join(", ", route.route().serverNames()), route.backend(), route.describe());
        }
      }
    } catch (RuntimeException e) {
      closeQuietly();
      state = State.CLOSED;
      throw e;
    }
    state = State.RUNNING;
    log.info("pgtls[{}] started", name);
    return this;
  }

  /** The address the route's listener is bound to; tells the real port after binding port 0. */
  public synchronized InetSocketAddress boundAddress(String routeName) {
    Acceptor acceptor = acceptorByRoute.get(routeName);
    if (acceptor == null) {
      if (routes.stream().noneMatch(r -> r.name().equals(routeName))) {
        throw new IllegalArgumentException("pgtls[" + name + "] has no route '" + routeName + "'");
      }
      throw new IllegalStateException("pgtls[" + name + "] route '" + routeName + "' is not listening (state " + state + ")");
    }
    return acceptor.boundAddress();
  }

  public List<String> routeNames() {
    List<String> names = new ArrayList<>();
    routes.forEach(r -> names.add(r.name()));
    return Collections.unmodifiableList(names);
  }

  public String name() {
    return name;
  }

  public synchronized boolean isRunning() {
    return state == State.RUNNING;
  }

  /** A snapshot of every route's counters, in route order. */
  public List<RouteMetrics> metrics() {
    List<RouteMetrics> all = new ArrayList<>();
    routes.forEach(r -> all.add(r.metrics()));
    return all;
  }

  /**
   * A snapshot, per listener that chooses its routes by server name, of the connections that
   * reached no route; in listener order. Empty when every listener has one route.
   */
  /**
   * Connections refused by the {@link ClientLimits}, by reason: {@code per_source_connections},
   * {@code pending_connections}, {@code handshake_rate}, {@code cancel_rate}.
   */
  public Map<String, Long> limitRefusals() {
    return listeners.get(0).limits().sources().refusals();
  }

  public List<ListenerMetrics> listenerMetrics() {
    return listeners.stream().filter(l -> l.soleRoute().isEmpty()).map(CompiledListener::metrics).toList();
  }

  /** Routes whose certificate does not name every server name they serve, in words (for {@code --check}). */
  public List<String> serverNameWarnings() {
    return listeners.stream().flatMap(l -> l.serverNameWarnings().stream()).toList();
  }

  /** For each listener, which server name goes to which route, in matching order (for {@code --check}). */
  public Map<String, List<String>> routing() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    listeners.forEach(l -> out.put(l.address().toString(), l.describeRouting()));
    return out;
  }

  /**
   * Reads every route's certificate, key and CA files again. New connections get the new
   * material; live connections carry on with theirs. A route whose files cannot be loaded keeps
   * its old material in service; the returned map names each such route with the reason (empty:
   * all reloaded). The outcome is the caller's to report (the launcher logs it per route), so it is
   * logged here at debug level only.
   */
  public Map<String, String> reloadCertificates() {
    Map<String, String> failures = new LinkedHashMap<>();
    for (CompiledRoute r : routes) {
      try {
        r.reload();
        log.debug("pgtls[{}] route '{}': certificates reloaded", name, r.name());
      } catch (PgTlsException e) {
        failures.put(r.name(), e.getMessage());
        log.debug("pgtls[{}] certificates not reloaded: {}", name, e.getMessage());
      }
    }
    return failures;
  }

  /**
   * Puts a new configuration in service without a restart: {@code next} is validated and every
   * file it names is read first, and if anything fails this throws {@link PgTlsException} and the
   * running configuration stays whole. Then, at once: listeners whose address stays keep their
   * socket and take the new routes; new addresses are bound; listeners no longer configured stop
   * accepting (their sessions go on). New connections see the new routes; live sessions keep the
   * route they were accepted with, except that the sessions of a route that is removed or whose
   * backend changed are kept, drained (ended at their next idle point, at {@code drainTimeout} at
   * the latest) or closed as that route's {@link Route.OnReload} says, and any session the new
   * configuration would not admit (its address, certificate or identity) is ended at once.
   *
   * <p>{@code next}'s TLS engine applies to new sessions if it names one; without one the running
   * proxy's stays ({@link #tlsEngine()}). {@code next}'s other proxy-wide settings (name, loops,
   * session and client limits) are not applied;
   * its cancel key secret is, if it sets one. Route counters carry on under the same route name.
   */
  public Reconfiguration reconfigure(Builder next, Duration drainTimeout) {
    synchronized (this) {
      if (state != State.RUNNING) {
        throw new IllegalStateException("pgtls[" + name + "] is " + state + "; only a running proxy reconfigures");
      }
      Reconfigurer r = new Reconfigurer(name, listeners, acceptors, loops, loopCount);
      Reconfigurer.Plan plan = r.plan(next, next.tlsEngineOr(tlsEngine));
      listeners = plan.listeners();
      routes = plan.listeners().stream().flatMap(l -> l.routes().stream()).toList();
      acceptors.clear();
      acceptors.addAll(plan.acceptors());
      acceptorByRoute.clear();
      for (int i = 0; i < plan.listeners().size(); i++) {
        for (CompiledRoute route : plan.listeners().get(i).routes()) {
          acceptorByRoute.put(route.name(), plan.acceptors().get(i));
        }
      }
      generation++;
      Reconfiguration done = r.applyToLiveSessions(plan, generation, drainTimeout);
      r.retireReplaced();
      log.info("pgtls[{}] reconfigured: {}", name, done.summary());
      return done;
    }
  }

  /** The TLS engine of the routes that name none of their own. */
  public TlsEngineFactory tlsEngine() {
    return tlsEngine;
  }

  /** Per route, the name of the TLS engine that serves it ("jdk", "boringssl"), in route order. */
  public Map<String, String> tlsEngines() {
    Map<String, String> engines = new LinkedHashMap<>();
    routes.forEach(r -> engines.put(r.name(), r.tlsEngine().name()));
    return Collections.unmodifiableMap(engines);
  }

  /** The configuration generation in service: 1 as built, one more per {@link #reconfigure}. */
  public long generation() {
    return generation;
  }

  /**
   * Stops accepting new connections and waits up to {@code drain} for the live ones to finish on
   * their own, then closes the rest. Returns how many were still open when the time ran out.
   */
  public int shutdown(Duration drain) throws InterruptedException {
    synchronized (this) {
      if (state != State.RUNNING) {
        close();
        return 0;
      }
      for (Acceptor a : acceptors) {
        a.close();
      }
      log.info("pgtls[{}] stopped accepting; draining {} connection(s) for up to {} s", name, activeConnections(),
          drain.toSeconds());
    }
    long deadline = System.nanoTime() + drain.toNanos();
    while (activeConnections() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    int left = activeConnections();
    if (left > 0) {
      log.warn("pgtls[{}] drain time over: closing {} connection(s)", name, left);
    }
    close();
    return left;
  }

  /** Pooled buffers currently lent to connections; zero once every connection is closed or idle. */
  public long buffersInUse() {
    LoopGroup l = loops;
    return l == null ? 0 : l.buffersOutstanding();
  }

  /** Connections currently open through this proxy, all routes together. */
  public int activeConnections() {
    LoopGroup l = loops;
    return l == null ? 0 : l.activeConnections();
  }

  /** Stops accepting, closes every connection and stops the loops. Idempotent. */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    boolean wasRunning = state == State.RUNNING;
    state = State.CLOSED;
    try {
      closeQuietly();
    } finally {
      closed.countDown();
    }
    if (wasRunning) {
      log.info("pgtls[{}] stopped", name);
    }
  }

  /** Blocks until the proxy is closed: by {@link #close()}, or by itself after a fatal failure. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /** Like {@link #awaitClosed()}, for at most {@code timeout}; true if the proxy is closed. */
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Why the proxy stopped by itself (a selector loop failed), if it did. A proxy closed with
   * {@link #close()} has no failure.
   */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  private void loopFailed(Throwable t) {
    failure = t;
    log.error("pgtls[{}] a selector loop failed; stopping the proxy", name);
    // Not on the dying loop's thread: close() waits for every loop, this one included.
    Thread stopper = new Thread(this::close, "pgtls-" + name + "-stop");
    stopper.setDaemon(true);
    stopper.start();
  }

  private void closeQuietly() {
    for (Acceptor a : acceptors) {
      a.close();
    }
    if (loops != null) {
      loops.shutdown(Duration.ofSeconds(5));
    }
    routes.forEach(CompiledRoute::retire);
  }

  @Override
  public String toString() {
    return "PgTlsProxy[" + name + " " + state + " routes=" + routeNames() + "]";
  }

  /**
   * Collects the proxy's settings. {@link #build()} validates them, loads all TLS material, and
   * returns a proxy that is ready to {@link PgTlsProxy#start()}.
   */
  public static final class Builder {
    static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    private String name = "pgtls";
    private int loops = Runtime.getRuntime().availableProcessors();
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private ClientLimits clientLimits = ClientLimits.defaults();
    private final List<Listener> listeners = new ArrayList<>();
    private UnaryOperator<ByteChannel> channelWrapper = UnaryOperator.identity();
    private byte[] cancelKeySecret;
    private TlsEngineFactory tlsEngine;

    private Builder() {}

    /**
     * The TLS engine of every route that names none of its own ({@link Route.Builder#tlsEngine}).
     * Default: the engine the system property {@value TlsEngines#DEFAULT_PROPERTY} names, else the
     * JDK's ({@link TlsEngines#jdk()}).
     */
    public Builder tlsEngine(TlsEngineFactory engine) {
      this.tlsEngine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** The engine of routes that name none: as set, else {@code running}'s (a reconfiguration keeps it). */
    TlsEngineFactory tlsEngineOr(TlsEngineFactory running) {
      return tlsEngine != null ? tlsEngine : running;
    }

    /** The engine of routes that name none: as set, else {@link TlsEngines#fallback()}. */
    TlsEngineFactory tlsEngine() {
      if (tlsEngine != null) {
        return tlsEngine;
      }
      try {
        return TlsEngines.fallback();
      } catch (IllegalArgumentException e) {
        throw new PgTlsException("pgtls[" + name + "]: " + e.getMessage(), e);
      }
    }

    /** Tests only: what every socket's reads and writes go through (e.g. a chunking wrapper). */
    Builder channelWrapper(UnaryOperator<ByteChannel> wrapper) {
      this.channelWrapper = wrapper;
      return this;
    }

    /** The proxy's name; it prefixes every log line. Default "pgtls". */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * At most this many sessions at once across all routes; beyond it a client gets FATAL 53300
     * "sorry, too many clients already". Default 10,000.
     */
    public Builder maxConnections(int max) {
      this.maxConnections = max;
      return this;
    }

    /** Number of selector loops (threads). Default: one per available processor. */
    /** Limits per client address and on connections still opening; {@link ClientLimits#defaults()} unless set. */
    public Builder clientLimits(ClientLimits limits) {
      this.clientLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    public Builder loops(int count) {
      this.loops = count;
      return this;
    }

    /**
     * A route with the listener its own settings describe ({@link Route.Builder#listen}, timeouts
     * and plaintext policies). Routes naming the same fixed address share one listener, chosen by
     * server name ({@link Route.Builder#serverNames}); their listener settings must agree.
     */
    public Builder route(Route route) {
      listeners.add(Listener.of(Objects.requireNonNull(route, "route")));
      return this;
    }

    /**
     * The secret (at least 32 bytes) from which a listener with several routes mints the cancel
     * keys its clients see, so that a CancelRequest, which names no server, reaches its session's
     * route. Replicas behind one load balancer that share the secret and the configuration route
     * each other's cancels. Default: a random secret of this process.
     */
    public Builder cancelKeySecret(byte[] secret) {
      if (secret == null || secret.length < CancelKeys.MIN_SECRET_BYTES) {
        throw new PgTlsException("pgtls[" + name + "]: cancel_key_secret must be at least " + CancelKeys.MIN_SECRET_BYTES
            + " bytes, got " + (secret == null ? 0 : secret.length));
      }
      this.cancelKeySecret = secret.clone();
      return this;
    }

    /** A listener with its routes. */
    public Builder listener(Listener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * The listeners with their routes, grouped by address and validated: everything is checked
     * before any file is read, so a typo is reported as such, not as the first unreadable file of
     * an earlier route.
     */
    List<Listener> validatedListeners() {
      if (listeners.isEmpty()) {
        throw new PgTlsException("pgtls[" + name + "]: no routes configured; add at least one route");
      }
      List<Listener> grouped = ListenerGroups.group(listeners);
      new Validation(name).check(grouped);
      return grouped;
    }

    /** The cancel key secret set, or null. */
    byte[] cancelKeySecret() {
      return cancelKeySecret == null ? null : cancelKeySecret.clone();
    }

    /** Validates the configuration and loads every certificate and key. */
    public PgTlsProxy build() {
      if (name == null || name.isBlank()) {
        throw new PgTlsException("proxy name must not be empty");
      }
      if (loops < 1) {
        throw new PgTlsException("pgtls[" + name + "]: loops must be at least 1, got " + loops);
      }
      if (maxConnections < 1) {
        throw new PgTlsException("pgtls[" + name + "]: max_connections must be at least 1, got " + maxConnections);
      }
      if (listeners.isEmpty()) {
        throw new PgTlsException("pgtls[" + name + "]: no routes configured; add at least one route");
      }
      List<Listener> grouped = validatedListeners();
      SharedLimits limits = SharedLimits.of(maxConnections, clientLimits);
      CancelKeys cancelKeys = cancelKeySecret == null ? CancelKeys.random() : CancelKeys.fromSecret(cancelKeySecret);
      TlsEngineFactory engine = tlsEngine();
      List<CompiledListener> compiled = new ArrayList<>();
      try {
        for (Listener l : grouped) {
          compiled.add(CompiledListener.compile(l, limits, cancelKeys, engine));
        }
      } catch (RuntimeException e) {
        compiled.forEach(CompiledListener::retire);
        throw e;
      }
      boolean jdkServes = compiled.stream().flatMap(l -> l.routes().stream())
          .anyMatch(r -> r.tlsEngine().name().equals(JdkTlsEngineFactory.NAME));
      if (jdkServes && !ServerNameParsing.jvmAcceptsEveryName()) {
        log.warn("pgtls[{}]: this JVM's TLS engine refuses server names PostgreSQL accepts (with '_', as Docker "
            + "Compose host names have, or a trailing dot): such clients fail the handshake. Start the JVM with "
            + "-Djdk.tls.server.disableExtensions=server_name; pgtls reads the server name itself (the setting "
            + "applies to every TLS server in this JVM)", name);
      }
      return new PgTlsProxy(name, loops, List.copyOf(compiled), channelWrapper, engine);
    }
  }
}
