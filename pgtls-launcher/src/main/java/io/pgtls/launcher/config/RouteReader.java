package io.pgtls.launcher.config;

import io.pgtls.BackendTls.Verification;
import io.pgtls.HostPort;
import io.pgtls.ProxyProtocol;
import io.pgtls.Route;
import io.pgtls.launcher.config.BackendTlsConfig.ClientCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one {@code [[proxy]]} table into a {@link RouteConfig}, rejecting unknown keys and the
 * contradictions only the file can write (a CA without client certificates, an identity rule without
 * them, TLS keys on a plaintext backend). The
 * rules of the settings themselves are checked once, by the core's {@code PgTlsProxy.Builder.build()};
 * {@link PgTlsConfig#describe} places its failures in the file.
 */
final class RouteReader {
  private static final Set<String> PROXY_KEYS = Set.of("name", "listener", "backend", "identity", "on_reload");
  private static final Set<String> LISTENER_KEYS = Set.of("bind_address", "server_cert", "server_key", "mtls",
      "client_cert", "client_ca", "client_crl", "allow_expired_crl", "cert_refresh_interval", "startup_timeout", "handshake_timeout", "allow_plaintext_cancel", "allow_plaintext_clients",
      "max_connections", "idle_timeout", "tls_versions", "cipher_suites", "server_names", "proxy_protocol",
      "allowed_sources");
  private static final Set<String> BACKEND_KEYS = Set.of("address", "tls_enabled", "send_proxy", "root_ca", "client_cert",
      "client_key", "server_name", "verify", "direct_tls", "connect_timeout");
  /** Backend keys that only mean something with TLS; with {@code tls_enabled = false} they are errors. */
  private static final List<String> BACKEND_TLS_KEYS = List.of("root_ca", "client_cert", "client_key",
      "server_name", "verify", "direct_tls");

  private RouteReader() {}

  /** The default name of the route at 1-based {@code position}: {@code proxy-1}, {@code proxy-2}, ... */
  static String defaultName(int position) {
    return "proxy-" + position;
  }

  static RouteConfig read(TomlSection proxy, int position) throws ConfigException {
    proxy.allowOnly(PROXY_KEYS);
    String name = proxy.text("name").orElse(defaultName(position));
    ListenerConfig listener = listener(proxy.requiredTable("listener"));
    BackendConfig backend = backend(proxy.requiredTable("backend"));
    Optional<IdentityConfig> identity = Optional.empty();
    if (proxy.has("identity")) {
      identity = Optional.of(IdentityReader.read(proxy.requiredTable("identity")));
      if (!listener.mtls()) {
        // Refused rather than ignored: the rule could never hold without a certificate to read.
        throw proxy.error("identity", "needs client certificates, but the listener does not ask for them; set "
            + "client_cert = \"required\" or \"optional\" (with client_ca) in [proxy.listener], or remove "
            + "[proxy.identity]");
      }
    }
    return new RouteConfig(name, listener, backend, identity, proxy.locations(), onReload(proxy));
  }

  /** {@code on_reload = "drain" | "keep" | "close"}; drain when left out. */
  private static Route.OnReload onReload(TomlSection proxy) throws ConfigException {
    Optional<String> text = proxy.string("on_reload");
    if (text.isEmpty()) {
      return Route.OnReload.DRAIN;
    }
    for (Route.OnReload policy : Route.OnReload.values()) {
      if (policy.name().toLowerCase(Locale.ROOT).equals(text.get())) {
        return policy;
      }
    }
    throw proxy.error("on_reload", "expected \"drain\", \"keep\" or \"close\", got " + TomlSection.describe(text.get()));
  }

  private static ListenerConfig listener(TomlSection l) throws ConfigException {
    l.allowOnly(LISTENER_KEYS);
    HostPort bind = l.requiredHostPort("bind_address");
    Path cert = l.requiredPath("server_cert");
    Path key = l.requiredPath("server_key");
    Optional<ClientCertificatesConfig> clientCertificates = ClientCertificatesReader.read(l);
    if (l.has("server_names") && l.strings("server_names").isEmpty()) {
      // Refused rather than read as "no names": an empty list would quietly make this the
      // listener's default route, taking every name no other route claims.
      throw l.error("server_names", "the list is empty; name at least one server name, or remove server_names "
          + "to make this route its listener's default route");
    }
    List<String> allowedSources = l.strings("allowed_sources");
    if (l.has("allowed_sources") && allowedSources.isEmpty()) {
      // Refused rather than read as "no list": an empty list reads as "admit nobody" to some and
      // "admit anyone" to others, and the route would do the second.
      throw l.error("allowed_sources", "the list is empty; name the client addresses the route admits, such as "
          + "[\"10.0.0.0/8\"], or remove allowed_sources to admit every address");
    }
    Optional<ProxyProtocolConfig> proxyProtocol = ProxyProtocolReader.read(l);
    return new ListenerConfig(bind, cert, key, clientCertificates, l.duration("cert_refresh_interval"),
        l.duration("startup_timeout"), l.duration("handshake_timeout"), l.bool("allow_plaintext_cancel").orElse(true),
        l.bool("allow_plaintext_clients").orElse(false), l.integer("max_connections", 1, 1_000_000), l.duration("idle_timeout"),
        l.strings("tls_versions"), l.strings("cipher_suites"), l.strings("server_names"), proxyProtocol, allowedSources);
  }

  private static BackendConfig backend(TomlSection b) throws ConfigException {
    b.allowOnly(BACKEND_KEYS);
    // A Unix-domain socket with the default tls_enabled = true is left for the core to refuse,
    // naming the route and tls_enabled: the default is not changed behind the operator's back.
    HostPort address = b.requiredBackendAddress("address");
    boolean tlsEnabled = b.bool("tls_enabled").orElse(true);
    Optional<Duration> connectTimeout = b.duration("connect_timeout");
    if (!tlsEnabled) {
      Optional<String> tlsOnly = b.firstPresent(BACKEND_TLS_KEYS);
      if (tlsOnly.isPresent()) {
        throw b.sectionError(tlsOnly.get(), tlsOnly.get() + " is set but tls_enabled is false; remove "
            + tlsOnly.get() + " or set tls_enabled = true");
      }
      return new BackendConfig(address, Optional.empty(), connectTimeout, sendProxy(b));
    }
    return new BackendConfig(address, Optional.of(backendTls(b)), connectTimeout, sendProxy(b));
  }

  /** {@code send_proxy}: "off" (the default), "v1" or "v2". */
  private static Optional<ProxyProtocol.Versions> sendProxy(TomlSection b) throws ConfigException {
    Optional<String> text = b.string("send_proxy");
    if (text.isEmpty() || text.get().equals("off")) {
      return Optional.empty();
    }
    switch (text.get()) {
      case "v1":
        return Optional.of(ProxyProtocol.Versions.V1);
      case "v2":
        return Optional.of(ProxyProtocol.Versions.V2);
      default:
        throw b.error("send_proxy", "expected \"off\", \"v1\" or \"v2\", got " + TomlSection.describe(text.get()));
    }
  }

  private static BackendTlsConfig backendTls(TomlSection b) throws ConfigException {
    Optional<Path> rootCa = b.path("root_ca");
    Optional<Path> cert = b.path("client_cert");
    Optional<Path> key = b.path("client_key");
    if (cert.isPresent() && key.isEmpty()) {
      throw b.sectionError("client_cert", "client_cert is set but client_key is missing; a client certificate "
          + "needs its private key");
    }
    if (key.isPresent() && cert.isEmpty()) {
      throw b.sectionError("client_key", "client_key is set but client_cert is missing; a client key "
          + "needs its certificate");
    }
    Optional<ClientCertificate> clientCertificate = cert.map(c -> new ClientCertificate(c, key.get()));
    Optional<String> serverName = b.text("server_name");
    Verification verification = Verification.VERIFY_FULL;
    Optional<String> verify = b.string("verify");
    if (verify.isPresent()) {
      verification = parseVerification(verify.get())
          .orElseThrow(() -> b.error("verify", "expected \"verify-full\" or \"verify-ca\", got "
              + TomlSection.describe(verify.get())));
    }
    boolean directTls = b.bool("direct_tls").orElse(false);
    return new BackendTlsConfig(rootCa, clientCertificate, serverName, verification, directTls);
  }

  private static Optional<Verification> parseVerification(String text) {
    for (Verification v : Verification.values()) {
      if (BackendTlsConfig.configName(v).equals(text)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
