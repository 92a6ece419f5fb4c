package io.pgtls.boringssl;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.pgtls.tls.ClientTlsSpec;
import io.pgtls.tls.ServerTlsSpec;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TlsEngineMaker;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Makes the engines of one side of one route from one netty {@link SslContext}.
 *
 * <p>Native memory: the context ({@code ReferenceCountedOpenSslContext}) and every engine ({@code
 * ReferenceCountedOpenSslEngine}) are reference counted. The maker holds one reference to the
 * context, and netty has each engine hold another until the engine is released; so {@link
 * #retire()} (a reload swapped in new material) drops the maker's, and the context is freed when
 * the last engine made from it is {@link #release released}. Nothing is left to the garbage
 * collector (netty's leak detector would report it). The maker is a monitor: engines are made and
 * released on the selector loops while a reload retires it on another thread.
 */
final class NettyEngineMaker implements TlsEngineMaker {
  /** Every engine made and not yet released, all makers together: for tests that look for native leaks. */
  private static final AtomicInteger LIVE_ENGINES = new AtomicInteger();
  /** Contexts not yet freed, all makers together: for the same tests. */
  private static final AtomicInteger LIVE_CONTEXTS = new AtomicInteger();

  /** Whether the maker still serves new connections, or a reload or close has replaced it. */
  private enum State {
    SERVING,
    RETIRED
  }

  private final String what;
  private final Supplier<SslContext> build;
  private final Function<SslContext, SSLEngine> make;
  private final AtomicInteger live = new AtomicInteger();
  // Guarded by this: engines are made and released on the loops, the maker retired by a reload.
  private SslContext context;
  /** Whether the maker holds a reference to {@link #context} of its own (until retired). */
  private boolean holdsContext;
  private boolean contextFreed;
  private State state = State.SERVING;

  private NettyEngineMaker(String what, Supplier<SslContext> build, Function<SslContext, SSLEngine> make) {
    this.what = what;
    this.build = build;
    this.make = make;
    this.context = build.get();
    this.holdsContext = true;
    LIVE_CONTEXTS.incrementAndGet();
  }

  /** BoringSSL's TLS 1.3 cipher suites, by their JDK names: all of them are always enabled. */
  static final Set<String> TLS13_SUITES = Set.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256");

  static NettyEngineMaker server(ServerTlsSpec spec) {
    requireExpressible(spec);
    SslContextBuilder b = SslContextBuilder
        // netty quirk: given a plain KeyManagerFactory, netty converts the key material for
        // BoringSSL in every handshake; the caching factory converts it once per alias.
        .forServer(new OpenSslCachingX509KeyManagerFactory(spec.identityKeyManagerFactory()))
        .sslProvider(SslProvider.OPENSSL_REFCNT)
        .protocols(spec.enabledProtocols())
        .trustManager(spec.clientTrust())
        // "Want", never "need", as on the JDK: a client without a certificate completes the
        // handshake and pgtls judges it at its StartupMessage; a bad certificate fails it.
        .clientAuth(spec.askForClientCertificate() ? ClientAuth.OPTIONAL : ClientAuth.NONE)
        // netty quirk: FATAL_ALERT is refused for OpenSSL ("OpenSSL provider does not support
        // FATAL_ALERT behavior"), so a client offering ALPN without "postgresql" would complete
        // the handshake without ALPN; pgtls refuses such a client from its ClientHello instead.
        .applicationProtocolConfig(alpn(List.of(TlsContexts.ALPN_POSTGRESQL)));
    ciphers(b, spec.cipherSuites());
    String what = "boringssl server " + spec.identity().leaf().getSubjectX500Principal().getName();
    return new NettyEngineMaker(what, () -> build(b, what), c -> c.newEngine(ByteBufAllocator.DEFAULT));
  }

  static NettyEngineMaker client(ClientTlsSpec spec) {
    SslContextBuilder b = SslContextBuilder.forClient()
        .sslProvider(SslProvider.OPENSSL_REFCNT)
        .protocols(spec.enabledProtocols())
        .trustManager(spec.serverTrust())
        // PostgreSQL before 18 takes only P-256 for key exchange (ssl_ecdh_curve = prime256v1), and
        // 18 takes X25519 or P-256 (ssl_groups). BoringSSL sends one key share, for its first
        // group, X25519 by default: PostgreSQL 14 to 17 would answer every backend connection with
        // a HelloRetryRequest (one more round trip and key). P-256 first is taken at once by all.
        .option(OpenSslContextOption.GROUPS, BACKEND_GROUPS);
    spec.identityKeyManagerFactory().ifPresent(k -> b.keyManager(new OpenSslCachingX509KeyManagerFactory(k)));
    if (!spec.applicationProtocols().isEmpty()) {
      b.applicationProtocolConfig(alpn(spec.applicationProtocols()));
    }
    ciphers(b, List.of());
    String what = "boringssl client " + spec.serverName() + ":" + spec.port();
    String host = spec.peerHost();
    return new NettyEngineMaker(what, () -> build(b, what), c -> {
      SSLEngine engine = c.newEngine(ByteBufAllocator.DEFAULT, host, spec.port());
      SSLParameters p = engine.getSSLParameters();
      if (spec.verifyHostName()) {
        // Checked by the JDK's trust manager (X509ExtendedTrustManager with this engine), as on
        // the JDK's engine: DNS and IP subjectAltNames, CN only without dNSName.
        p.setEndpointIdentificationAlgorithm("HTTPS");
      }
      // netty quirk (as the JDK's): SNI is derived from the peer host only for names with a dot;
      // set it for every host name ("localhost", a container name), never for an IP literal.
      spec.serverNameIndication().ifPresent(sni -> p.setServerNames(List.of(sni)));
      engine.setSSLParameters(p);
      return engine;
    });
  }

  /**
   * A new engine. A retired maker still makes one for a connection that chose its route before a
   * reload or reconfiguration replaced it: from its context while live engines keep that alive,
   * else from a context built again for it (freed with that engine).
   */
  @Override
  public synchronized SSLEngine newEngine() {
    if (contextFreed) {
      context = build.get();
      contextFreed = false;
      holdsContext = true;
      LIVE_CONTEXTS.incrementAndGet();
    }
    SSLEngine engine;
    try {
      engine = make.apply(context); // the engine holds a reference to the context
      live.incrementAndGet();
      LIVE_ENGINES.incrementAndGet();
    } finally {
      if (state == State.RETIRED && holdsContext) {
        holdsContext = false;
        ReferenceCountUtil.release(context);
        noteIfContextFreed();
      }
    }
    return engine;
  }

  @Override
  public synchronized void release(SSLEngine engine) {
    if (ReferenceCountUtil.release(engine)) {
      live.decrementAndGet();
      LIVE_ENGINES.decrementAndGet();
    }
    noteIfContextFreed();
  }

  @Override
  public synchronized void retire() {
    state = State.RETIRED;
    if (holdsContext) {
      holdsContext = false;
      ReferenceCountUtil.release(context);
    }
    noteIfContextFreed();
  }

  private void noteIfContextFreed() {
    if (!holdsContext && !contextFreed && ReferenceCountUtil.refCnt(context) == 0) {
      contextFreed = true;
      LIVE_CONTEXTS.decrementAndGet();
    }
  }

  /** Whether the context keeps sessions for resumption (it must not). */
  synchronized boolean sessionCacheEnabled() {
    return context.sessionContext() instanceof OpenSslSessionContext sessions && sessions.isSessionCacheEnabled();
  }

  /** Contexts of every maker in this JVM not yet freed. */
  static int liveContextsInJvm() {
    return LIVE_CONTEXTS.get();
  }

  /** Engines of this maker not yet released. */
  int liveEngines() {
    return live.get();
  }

  /** Engines of every maker in this JVM not yet released. */
  static int liveEnginesInJvm() {
    return LIVE_ENGINES.get();
  }

  /** The context's reference count: 1 for the maker while serving, plus one per live engine. */
  synchronized int contextReferences() {
    return ReferenceCountUtil.refCnt(context);
  }

  /**
   * BoringSSL quirk: its TLS 1.3 cipher suites cannot be configured (netty passes none for
   * BoringSSL), so all three are on whatever the list says. A listener whose cipher_suites would
   * narrow TLS 1.3 on the JDK's engine (some of them, or none while TLSv1.3 is enabled) would
   * silently accept more here: refused, naming the way out.
   */
  private static void requireExpressible(ServerTlsSpec spec) {
    if (spec.cipherSuites().isEmpty() || !List.of(spec.enabledProtocols()).contains("TLSv1.3")) {
      return;
    }
    Set<String> tls13 = new TreeSet<>();
    spec.cipherSuites().stream().filter(TlsContexts::isTls13Suite)
        .forEach(tls13::add);
    if (!tls13.equals(new TreeSet<>(TLS13_SUITES))) {
      throw new IllegalArgumentException("BoringSSL always enables its three TLS 1.3 cipher suites " + new TreeSet<>(TLS13_SUITES)
          + " and cannot restrict them, but cipher_suites lists " + (tls13.isEmpty() ? "none" : tls13)
          + " of them with TLSv1.3 enabled; list all three, drop TLSv1.3 from tls_versions, or use tls_engine = \"jdk\"");
    }
  }

  private static ApplicationProtocolConfig alpn(List<String> protocols) {
    return new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
        SelectedListenerFailureBehavior.ACCEPT, protocols);
  }

  /** The listed suites (JDK names, which netty maps), else pgtls's strong filter over what BoringSSL has. */
  private static void ciphers(SslContextBuilder b, List<String> suites) {
    if (!suites.isEmpty()) {
      b.ciphers(suites);
      return;
    }
    b.ciphers(null, (requested, defaults, supported) ->
        TlsContexts.strongCipherSuites(supported.toArray(new String[0])));
  }

  /**
   * PostgreSQL's clients never resume a session and PostgreSQL turns off both tickets and the
   * session cache; so does pgtls. BoringSSL through netty sends no tickets unless ticket keys are
   * set (none are); the session caches (server, and the client's per host:port) are switched off.
   */
  private static void noSessionReuse(SslContext context) {
    if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
      sessions.setSessionCacheEnabled(false);
    }
  }

  private static SslContext build(SslContextBuilder b, String what) {
    try {
      SslContext context = b.build();
      noSessionReuse(context);
      return context;
    } catch (SSLException e) {
      throw new IllegalArgumentException("BoringSSL refused the TLS settings of the " + what + ": " + e.getMessage(), e);
    }
  }

  /** The trust manager pgtls's JDK contexts use: JDK quirk, an SSLContext uses only the first X509 one. */
  /** Key-exchange groups of the backend leg, its key share for the first. */
  static final String[] BACKEND_GROUPS = {"P-256", "X25519", "P-384"};

  @Override
  public String toString() {
    return what + " " + state + " live=" + live.get();
  }
}
