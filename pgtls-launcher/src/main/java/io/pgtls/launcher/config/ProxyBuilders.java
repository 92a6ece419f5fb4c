package io.pgtls.launcher.config;

import io.pgtls.BackendTls;
import io.pgtls.BackendTls.Verification;
import io.pgtls.ClientCertificates;
import io.pgtls.ClientCertificates.Mode;
import io.pgtls.ClientIdentity;
import io.pgtls.ClientLimits;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.ProxyProtocol;
import io.pgtls.Route;
import io.pgtls.launcher.config.IdentityConfig.IdentityMap;
import java.util.Optional;

/**
 * Turns a {@link PgTlsConfig} into the core's builders. Settings left out of the file are left
 * out here too, so the core's defaults apply.
 */
public final class ProxyBuilders {
  private ProxyBuilders() {}

  /** A proxy builder with every route of {@code config}; its {@code build()} loads the certificates. */
  public static PgTlsProxy.Builder builder(PgTlsConfig config) {
    PgTlsProxy.Builder builder = PgTlsProxy.builder();
    config.maxConnections().ifPresent(builder::maxConnections);
    config.loops().ifPresent(builder::loops);
    config.cancelKeySecret().ifPresent(secret -> builder.cancelKeySecret(secret.read()));
    clientLimits(config).ifPresent(builder::clientLimits);
    config.routes().forEach(route -> builder.route(route(route)));
    return builder;
  }

  /**
   * The {@code [limits]} table as the core's {@link ClientLimits}: each setting left out keeps its
   * default, a rate without its burst the default burst and the other way round. Empty without the
   * table, so the core's own defaults apply.
   */
  static Optional<ClientLimits> clientLimits(PgTlsConfig config) {
    return config.limits().map(ProxyBuilders::clientLimits);
  }

  private static ClientLimits clientLimits(LimitsConfig config) {
    ClientLimits limits = ClientLimits.defaults();
    if (config.maxConnectionsPerSource().isPresent()) {
      limits = limits.maxConnectionsPerSource(config.maxConnectionsPerSource().get());
    }
    if (config.maxPendingConnections().isPresent()) {
      limits = limits.maxPendingConnections(config.maxPendingConnections().get());
    }
    limits = limits.handshakesPerSource(config.handshakesPerSecond().orElse(limits.handshakesPerSecond()),
        config.handshakeBurst().orElse(limits.handshakeBurst()));
    return limits.cancelsPerSource(config.cancelsPerSecond().orElse(limits.cancelsPerSecond()),
        config.cancelBurst().orElse(limits.cancelBurst()));
  }

  public static Route route(RouteConfig config) {
    ListenerTls listenerTls = ListenerTls.pem(config.listener().serverCert(), config.listener().serverKey());
    if (config.listener().clientCertificates().isPresent()) {
      listenerTls = listenerTls.clientCertificates(clientCertificates(config.listener().clientCertificates().get()));
    }
    if (!config.listener().tlsVersions().isEmpty()) {
      listenerTls = listenerTls.protocols(config.listener().tlsVersions().toArray(new String[0]));
    }
    if (!config.listener().cipherSuites().isEmpty()) {
      listenerTls = listenerTls.cipherSuites(config.listener().cipherSuites().toArray(new String[0]));
    }
    Route.Builder route = Route.builder(config.name())
        .listen(config.listener().bindAddress())
        .tls(listenerTls)
        .backend(config.backend().address())
        .backendTls(backendTls(config.backend()))
        .serverNames(config.listener().serverNames());
    config.listener().startupTimeout().ifPresent(route::startupTimeout);
    config.listener().handshakeTimeout().ifPresent(route::handshakeTimeout);
    route.allowPlaintextCancel(config.listener().allowPlaintextCancel());
    route.allowPlaintextClients(config.listener().allowPlaintextClients());
    config.listener().maxConnections().ifPresent(route::maxConnections);
    config.listener().idleTimeout().ifPresent(route::idleTimeout);
    config.listener().proxyProtocol().ifPresent(p -> route.proxyProtocol(proxyProtocol(p)));
    if (!config.listener().allowedSources().isEmpty()) {
      route.allowedSources(config.listener().allowedSources());
    }
    config.backend().connectTimeout().ifPresent(route::connectTimeout);
    config.backend().sendProxy().ifPresent(route::backendProxyProtocol);
    config.identity().ifPresent(identity -> route.clientIdentity(clientIdentity(identity)));
    route.onReload(config.onReload());
    return route.build();
  }

  static ClientCertificates clientCertificates(ClientCertificatesConfig config) {
    ClientCertificates policy = config.mode() == Mode.REQUIRED
        ? ClientCertificates.required(config.ca())
        : ClientCertificates.optional(config.ca());
    return policy.revocationLists(config.crls()).allowExpiredRevocationLists(config.allowExpiredCrl());
  }

  static ProxyProtocol proxyProtocol(ProxyProtocolConfig config) {
    return ProxyProtocol.trusting(config.trusted()).versions(config.versions()).untrusted(config.untrusted())
        .maxV2Length(config.maxV2Length());
  }

  static ClientIdentity clientIdentity(IdentityConfig config) {
    ClientIdentity identity = ClientIdentity.from(config.source());
    if (config.map().isPresent()) {
      IdentityMap map = config.map().get();
      identity = map.file().isPresent()
          ? identity.mapFile(map.file().get(), map.name())
          : identity.mapLines(map.lines(), map.name());
    }
    if (config.backendSetting().isPresent()) {
      identity = identity.backendSetting(config.backendSetting().get());
    }
    return identity;
  }

  static BackendTls backendTls(BackendConfig backend) {
    if (backend.tls().isEmpty()) {
      return BackendTls.disabled();
    }
    BackendTlsConfig tls = backend.tls().get();
    BackendTls result = tls.rootCa().map(BackendTls::verifyFull).orElseGet(BackendTls::verifyFull);
    if (tls.clientCertificate().isPresent()) {
      result = result.clientCertificate(tls.clientCertificate().get().certificate(), tls.clientCertificate().get().key());
    }
    if (tls.serverName().isPresent()) {
      result = result.serverName(tls.serverName().get());
    }
    if (tls.verification() == Verification.VERIFY_CA) {
      result = result.verifyCaOnly();
    }
    if (tls.directTls()) {
      result = result.directTls();
    }
    return result;
  }
}
