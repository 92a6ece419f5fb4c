package io.pgtls;

import io.pgtls.internal.route.ServerNames;
import io.pgtls.internal.route.ServerNamesBuilder;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks {@link PgTlsProxy.Builder#build()} makes before any file is read. Each failure is a
 * {@link PgTlsException} naming the route (or listener) and the setting.
 */
final class Validation {
  private static final Logger log = LoggerFactory.getLogger(PgTlsProxy.class);
  /**
   * The longest socket path a UNIX channel can connect to: Linux's {@code sun_path} holds 108 bytes
   * with the terminating NUL (the JDK refuses longer ones at connect, "Unix domain path too long").
   */
  static final int MAX_SOCKET_PATH_BYTES = 107;
  /** Beyond this a timeout is a typo, not a policy. */
  private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  private final String proxyName;
  private final Set<String> routeNames = new HashSet<>();
  /** The first route of each listener bound to a fixed port, by address. */
  private final Map<HostPort, String> routeByAddress = new LinkedHashMap<>();

  Validation(String proxyName) {
    this.proxyName = proxyName;
  }

  void check(List<Listener> listeners) {
    for (Listener l : listeners) {
      listener(l);
      for (Route r : l.routes()) {
        route(l, r);
      }
    }
  }

  private void listener(Listener l) {
    if (l.routes().isEmpty()) {
      throw PgTlsException.ofListener(l.address(), "route", "no routes; add at least one route");
    }
    for (Route r : l.routes()) {
      if (r.name() == null || r.name().isBlank()) {
        throw new PgTlsException("pgtls[" + proxyName + "]: every route needs a name");
      }
      if (!routeNames.add(r.name())) {
        throw PgTlsException.ofSetting(r.name(), "name", "the name is used by another route");
      }
    }
    if (l.address() == null) {
      throw invalid(l, "listener.bind_address", "listener.bind_address is not set");
    }
    if (l.address().isUnixSocket()) {
      throw invalid(l, "listener.bind_address", "listener.bind_address " + l.address()
          + " is a Unix-domain socket; pgtls listens on TCP only (host:port)");
    }
    String first = l.routes().get(0).name();
    if (l.address().port() != 0) {
      String other = routeByAddress.putIfAbsent(l.address(), first);
      if (other != null) {
        throw sharedAddress(first, l.address(), other);
      }
    }
    proxyProtocol(l, first);
    requirePositive(l, "startup_timeout", l.startupTimeout());
    requirePositive(l, "handshake_timeout", l.handshakeTimeout());
    ServerNamesBuilder<String> names = ServerNames.builder();
    for (Route r : l.routes()) {
      ListenerTls tls = r.listenerTls() != null ? r.listenerTls() : l.tls();
      if (tls == null) {
        throw PgTlsException.ofSetting(r.name(), "listener.server_cert",
            "listener TLS (server_cert, server_key) is not set");
      }
      if (l.allowPlaintextClients() && tls.mtls()) {
        throw PgTlsException.ofSetting(r.name(), "listener.allow_plaintext_clients", "allow_plaintext_clients and "
            + "mtls exclude each other: a plaintext client would skip the client certificate check");
      }
      clientIdentity(r, tls);
      try {
        // Built after each route, so the route that makes the table impossible is the one named.
        names.add(r.name(), r.serverNames()).build();
      } catch (IllegalArgumentException e) {
        // ServerNames names the routes itself; a message about this one route alone starts with it.
        String prefix = "route '" + r.name() + "': ";
        String detail = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        throw PgTlsException.ofSetting(r.name(), "listener.server_names", detail);
      }
    }
  }

  /** A custom setting name PostgreSQL accepts in a StartupMessage: two or more identifiers joined by dots. */
  private static final java.util.regex.Pattern CUSTOM_SETTING =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)+");

  private static void clientIdentity(Route r, ListenerTls tls) {
    ClientIdentity identity = r.clientIdentity();
    if (identity == null) {
      return;
    }
    if (!tls.mtls()) {
      throw PgTlsException.ofSetting(r.name(), "identity", "an identity rule needs client certificates on the route "
          + "(listener client_cert = \"required\" or \"optional\", with client_ca)");
    }
    String setting = identity.backendSetting();
    if (setting != null && (!CUSTOM_SETTING.matcher(setting).matches() || setting.startsWith("_pq_."))) {
      // Without a dot the name would be one of PostgreSQL's own settings (role, session_authorization…),
      // which a proxy must never set from a certificate; "_pq_." names protocol extensions.
      throw PgTlsException.ofSetting(r.name(), "identity.backend_setting", "identity.backend_setting '" + setting
          + "' must be a custom setting name with a dot, such as pgtls.client_identity");
    }
  }

  /** The largest v2 length field there is (16 bits). */
  private static final int MAX_V2_LENGTH = 65_535;

  private static void proxyProtocol(Listener l, String route) {
    ProxyProtocol p = l.proxyProtocol();
    if (p == null) {
      return;
    }
    if (p.trustedProxies().isEmpty()) {
      // The spec forbids believing a header from just anyone: the trusted peers must be named.
      throw PgTlsException.ofSetting(route, "listener.proxy_protocol.trusted", "proxy_protocol needs the addresses "
          + "of the load balancers whose headers are believed (trusted CIDRs such as 10.0.0.0/8)");
    }
    cidrs(route, "listener.proxy_protocol.trusted", p.trustedProxies());
    if (p.maxV2Length() < 12 || p.maxV2Length() > MAX_V2_LENGTH) {
      throw PgTlsException.ofSetting(route, "listener.proxy_protocol.max_v2_length", "proxy_protocol max_v2_length "
          + p.maxV2Length() + " is out of range (12 to " + MAX_V2_LENGTH + " bytes)");
    }
  }

  private static void cidrs(String route, String setting, List<String> entries) {
    try {
      io.pgtls.internal.proxy.CidrSet.parse(entries);
    } catch (IllegalArgumentException e) {
      throw PgTlsException.ofSetting(route, setting, setting + ": " + e.getMessage(), e);
    }
  }

  private static PgTlsException sharedAddress(String route, HostPort address, String other) {
    return PgTlsException.ofSetting(route, "listener.bind_address", "listener.bind_address " + address
        + " is also used by route '" + other + "'");
  }

  private void route(Listener l, Route r) {
    String name = r.name();
    if (l.ownRoute() == null && !r.listenerSettings().isEmpty()) {
      boolean one = r.listenerSettings().size() == 1;
      throw PgTlsException.ofSetting(name, "listener", String.join(", ", r.listenerSettings())
          + (one ? " is a listener setting; set it" : " are listener settings; set them") + " on listener "
          + l.address() + ", not on its route");
    }
    if (r.backend() == null) {
      throw PgTlsException.ofSetting(name, "backend.address", "backend.address is not set");
    }
    cidrs(name, "listener.allowed_sources", r.allowedSources());
    if (r.backendProxyProtocol() == ProxyProtocol.Versions.V1_AND_V2) {
      throw PgTlsException.ofSetting(name, "backend.send_proxy", "backend.send_proxy sends one header: choose "
          + "V1 or V2");
    }
    if (r.backend().port() == 0) {
      throw PgTlsException.ofSetting(name, "backend.address", "backend.address " + r.backend() + " needs a port");
    }
    if (r.backendTls() == null) {
      throw PgTlsException.ofSetting(name, "backend.tls_enabled",
          "backend TLS is not set (use BackendTls.disabled() for plaintext)");
    }
    if (r.backend().isUnixSocket()) {
      unixSocketBackend(r);
    }
    requirePositive(name, "backend.connect_timeout", r.connectTimeout());
    if (r.maxConnections() < 0) {
      throw PgTlsException.ofSetting(name, "listener.max_connections", "max_connections must not be negative, got "
          + r.maxConnections());
    }
    if (r.idleTimeout() == null || r.idleTimeout().isNegative()) {
      throw PgTlsException.ofSetting(name, "listener.idle_timeout", "idle_timeout must not be negative, got "
          + r.idleTimeout());
    }
    if (l.allowPlaintextClients() && r.backendTls().enabled()) {
      log.warn("route '{}': allow_plaintext_clients with a TLS backend leg: PostgreSQL offers SCRAM-SHA-256-PLUS "
          + "over that leg, and libpq refuses such an offer on a connection it sees as plaintext; plaintext "
          + "clients using scram-sha-256 need a plaintext backend leg", name);
    }
  }

  private static void unixSocketBackend(Route r) {
    if (r.backend().socketPathBytes() > MAX_SOCKET_PATH_BYTES) {
      throw PgTlsException.ofSetting(r.name(), "backend.address", "backend.address " + r.backend() + " is "
          + r.backend().socketPathBytes() + " bytes long; a Unix-domain socket path may be at most "
          + MAX_SOCKET_PATH_BYTES);
    }
    if (r.backendTls().enabled()) {
      // PostgreSQL answers 'N' to an SSLRequest on a Unix-domain socket, whatever its ssl setting.
      throw PgTlsException.ofSetting(r.name(), "backend.tls_enabled", "backend.address " + r.backend()
          + " is a Unix-domain socket, over which PostgreSQL never speaks TLS; set tls_enabled = false "
          + "(BackendTls.disabled()) for this route");
    }
  }

  /** A listener setting's failure, named after the route whose settings hold it, if one does. */
  private static PgTlsException invalid(Listener l, String setting, String detail) {
    return l.ownRoute() != null
        ? PgTlsException.ofSetting(l.ownRoute(), setting, detail)
        : PgTlsException.ofListener(l.address(), setting, detail);
  }

  private static void requirePositive(Listener l, String key, Duration d) {
    String problem = notPositive(key, d);
    if (problem != null) {
      throw invalid(l, "listener." + key, problem);
    }
  }

  private static void requirePositive(String route, String setting, Duration d) {
    String key = setting.substring(setting.indexOf('.') + 1);
    String problem = notPositive(key, d);
    if (problem != null) {
      throw PgTlsException.ofSetting(route, setting, problem);
    }
  }

  private static String notPositive(String key, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      return key + " must be positive, got " + d;
    }
    if (d.compareTo(MAX_TIMEOUT) > 0) {
      return key + " must be at most " + MAX_TIMEOUT.toHours() + " hours, got " + d;
    }
    return null;
  }
}
