package io.pgtls.internal.conn;

import io.pgtls.BackendTls;
import io.pgtls.HostPort;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsException;
import io.pgtls.Route;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TlsMaterial;
import io.pgtls.tls.TlsMaterialException;
import io.pgtls.tls.TrustMaterial;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A validated {@link Route} with its TLS material loaded into SSLContexts, ready to make engines
 * for each connection. Built once, before anything binds, so a bad file fails the start.
 */
public final class CompiledRoute {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CompiledRoute.class);

  private final Route route;
  private final SSLContext listenerContext;
  private final SSLContext backendContext;
  private final String backendServerName;
  private final TlsMaterial listenerIdentity;
  private final java.util.concurrent.atomic.AtomicBoolean channelBindingWarned =
      new java.util.concurrent.atomic.AtomicBoolean();

  private CompiledRoute(Route route, TlsMaterial listenerIdentity, SSLContext listenerContext,
      SSLContext backendContext) {
    this.route = route;
    this.listenerIdentity = listenerIdentity;
    this.listenerContext = listenerContext;
    this.backendContext = backendContext;
    this.backendServerName = route.backendTls().serverName().orElse(route.backend().host());
  }

  /** Loads every certificate and key of {@code route}; the message of any failure names the route and setting. */
  public static CompiledRoute compile(Route route) {
    String where = "route '" + route.name() + "': ";
    ListenerTls lt = route.listenerTls();
    for (String p : lt.protocols()) {
      if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
        throw new PgTlsException(where + "listener TLS version '" + p + "' is not allowed (use TLSv1.2 or TLSv1.3)");
      }
    }
    TlsMaterial identity;
    try {
      identity = TlsMaterial.load(lt.certificateChain(), lt.privateKey());
    } catch (TlsMaterialException e) {
      throw new PgTlsException(where + "listener server_cert/server_key: " + e.getMessage(), e);
    }
    TrustMaterial clientCa = null;
    if (lt.clientCa().isPresent()) {
      try {
        clientCa = TrustMaterial.load(lt.clientCa().get());
      } catch (TlsMaterialException e) {
        throw new PgTlsException(where + "listener client_ca: " + e.getMessage(), e);
      }
    }
    SSLContext listener;
    try {
      listener = TlsContexts.server(identity, clientCa);
    } catch (RuntimeException e) {
      throw new PgTlsException(where + "cannot build the listener's TLS context: " + e.getMessage(), e);
    }

    SSLContext backend = null;
    BackendTls bt = route.backendTls();
    if (bt.enabled()) {
      if (bt.verification() == BackendTls.Verification.VERIFY_CA && bt.rootCa().isEmpty()) {
        // Like libpq refusing weak modes with sslrootcert=system: without a host name check and a
        // CA of the operator's own, any publicly trusted certificate for any name would pass.
        throw new PgTlsException(where + "backend verify-ca needs root_ca: against the JDK's public trust store "
            + "any certificate for any host name would pass; set root_ca or use verify-full");
      }
      TrustMaterial trust;
      if (bt.rootCa().isPresent()) {
        try {
          trust = TrustMaterial.load(bt.rootCa().get());
        } catch (TlsMaterialException e) {
          throw new PgTlsException(where + "backend root_ca: " + e.getMessage(), e);
        }
      } else {
        trust = TrustMaterial.jdkDefault();
      }
      if (bt.clientCertificate().isPresent() != bt.clientKey().isPresent()) {
        throw new PgTlsException(where + "backend client_cert and client_key must be set together");
      }
      TlsMaterial clientIdentity = null;
      if (bt.clientCertificate().isPresent()) {
        try {
          clientIdentity = TlsMaterial.load(bt.clientCertificate().get(), bt.clientKey().get());
        } catch (TlsMaterialException e) {
          throw new PgTlsException(where + "backend client_cert/client_key: " + e.getMessage(), e);
        }
      }
      try {
        backend = TlsContexts.client(trust, clientIdentity);
      } catch (RuntimeException e) {
        throw new PgTlsException(where + "cannot build the backend TLS context: " + e.getMessage(), e);
      }
    }
    return new CompiledRoute(route, identity, listener, backend);
  }

  /** The leaf certificate this route presents to its clients. */
  public java.security.cert.X509Certificate listenerCertificate() {
    return listenerIdentity.leaf();
  }

  /**
   * Logs, once per route, that SCRAM-SHA-256-PLUS cannot pass it: the operator learns of it from
   * the first session (or the start-up probe), not from each user.
   */
  void warnOnceAboutChannelBinding() {
    if (channelBindingWarned.compareAndSet(false, true)) {
      LOG.warn(channelBindingWarning());
    }
  }

  String channelBindingWarning() {
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

  public HostPort listen() {
    return route.listen();
  }

  public HostPort backend() {
    return route.backend();
  }

  SSLContext backendContext() {
    return backendContext;
  }

  boolean backendTlsEnabled() {
    return backendContext != null;
  }

  String backendServerName() {
    return backendServerName;
  }

  /** A server-mode engine for a new client connection, with ALPN "postgresql" offered. */
  SSLEngine newListenerEngine() {
    ListenerTls lt = route.listenerTls();
    return TlsContexts.serverEngine(listenerContext, lt.mtls(), lt.protocols());
  }

  /** A client-mode engine toward the backend, with SNI and (verify-full) host name checking. */
  SSLEngine newBackendEngine() {
    BackendTls bt = route.backendTls();
    SSLEngine engine = TlsContexts.clientEngine(backendContext, backendServerName, route.backend().port(),
        bt.verification() == BackendTls.Verification.VERIFY_FULL, List.of("TLSv1.3", "TLSv1.2"));
    if (bt.direct()) {
      // PostgreSQL 17+ refuses a direct-TLS connection that does not negotiate ALPN "postgresql".
      SSLParameters p = engine.getSSLParameters();
      p.setApplicationProtocols(new String[] {TlsContexts.ALPN_POSTGRESQL});
      engine.setSSLParameters(p);
    }
    return engine;
  }

  boolean backendDirectTls() {
    return route.backendTls().direct();
  }

  /** One phrase for the start-up log line: what TLS each leg uses. */
  public String describe() {
    ListenerTls lt = route.listenerTls();
    BackendTls bt = route.backendTls();
    String client = lt.mtls() ? "client TLS with required client certificates" : "client TLS";
    String backend = bt.enabled()
        ? "backend " + (bt.direct() ? "direct " : "") + "TLS " + (bt.verification() == BackendTls.Verification.VERIFY_FULL ? "verify-full" : "verify-ca")
            + " as '" + backendServerName + "'" + (bt.rootCa().isPresent() ? "" : " (JDK trust store)")
            + (bt.clientCertificate().isPresent() ? " with client certificate" : "")
        : "backend plaintext";
    return client + ", " + backend;
  }
}
