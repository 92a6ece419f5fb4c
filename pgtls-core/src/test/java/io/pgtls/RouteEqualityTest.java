package io.pgtls;

import io.pgtls.tls.JdkTlsEngineFactory;
import io.pgtls.tls.NamedEngine;
import io.pgtls.tls.TlsEngines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Route} equality: every setting counts, including which listener settings the builder was
 * given, since that decides whether a {@link Listener} accepts the route.
 */
class RouteEqualityTest {
  private static final ListenerTls TLS = ListenerTls.pem(Path.of("/etc/pgtls/server.crt"),
      Path.of("/etc/pgtls/server.key")).requireClientCertificates(Path.of("/etc/pgtls/client-ca.pem"));
  private static final ProxyProtocol BALANCER = ProxyProtocol.trusting("10.0.0.2/32");

  /** A route named {@code name} with every setting away from its default, or set to it explicitly. */
  static Route.Builder everySetting(String name) {
    return Route.builder(name)
        .listen("127.0.0.1:6432")
        .tls(TLS)
        .backend("db.internal:5432")
        .backendTls(BackendTls.verifyFull(Path.of("/etc/pgtls/root.crt")))
        .startupTimeout(Duration.ofSeconds(60))
        .handshakeTimeout(Duration.ofSeconds(10))
        .connectTimeout(Duration.ofSeconds(5))
        .allowPlaintextCancel(false)
        .maxConnections(100)
        .idleTimeout(Duration.ofMinutes(10))
        .allowPlaintextClients(false)
        .serverNames("a.db.example.com", "*.tenants.example.com")
        .clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN))
        .proxyProtocol(BALANCER)
        .allowedSources("10.1.0.0/16", "192.0.2.7")
        .backendProxyProtocol(ProxyProtocol.Versions.V2)
        .tlsEngine(TlsEngines.jdk());
  }

  private static Route.Builder main() {
    return everySetting("main");
  }

  @TestFactory
  Stream<DynamicTest> aRouteCountsEverySetting() {
    return EqualityTable.of(Route.class, () -> main().build())
        .same("with addresses, names and sources given as objects and lists", () -> main()
            .listen(HostPort.of("127.0.0.1", 6432))
            .backend(HostPort.of("db.internal", 5432))
            .serverNames(List.of("a.db.example.com", "*.tenants.example.com"))
            .allowedSources(List.of("10.1.0.0/16", "192.0.2.7"))
            .build())
        .same("with a backend name in upper case", () -> main().backend("DB.internal:5432").build())
        .same("with a timeout in other units", () -> main().idleTimeout(Duration.ofSeconds(600)).build())
        .same("with another instance of the same engine", () -> main().tlsEngine(new JdkTlsEngineFactory()).build())
        .differs("tlsEngine", "another engine", () -> main().tlsEngine(new NamedEngine("boringssl")).build())
        .differs("tlsEngine", "left to the proxy", () -> main().tlsEngine(null).build())
        .differs("name", "another name", () -> everySetting("other").build())
        .differs("listen", "another port", () -> main().listen("127.0.0.1:6433").build())
        .differs("listenerTls", "left out", () -> main().tls(null).build())
        .differs("listenerTls", "without client certificates", () -> main()
            .tls(ListenerTls.pem(Path.of("/etc/pgtls/server.crt"), Path.of("/etc/pgtls/server.key"))).build())
        .differs("backend", "another host", () -> main().backend("db2.internal:5432").build())
        .differs("backend", "a Unix-domain socket", () -> main().backend("/var/run/postgresql").build())
        .differs("backendTls", "disabled", () -> main().backendTls(BackendTls.disabled()).build())
        .differs("backendTls", "another root CA", () -> main()
            .backendTls(BackendTls.verifyFull(Path.of("/etc/pgtls/other-root.crt"))).build())
        .differs("startupTimeout", "30s", () -> main().startupTimeout(Duration.ofSeconds(30)).build())
        .differs("handshakeTimeout", "11s", () -> main().handshakeTimeout(Duration.ofSeconds(11)).build())
        .differs("connectTimeout", "6s", () -> main().connectTimeout(Duration.ofSeconds(6)).build())
        .differs("allowPlaintextCancel", "true", () -> main().allowPlaintextCancel(true).build())
        .differs("maxConnections", "0 (no route limit)", () -> main().maxConnections(0).build())
        .differs("idleTimeout", "zero (never)", () -> main().idleTimeout(Duration.ZERO).build())
        .differs("onReload", "keep", () -> main().onReload(Route.OnReload.KEEP).build())
        .differs("allowPlaintextClients", "true", () -> main().allowPlaintextClients(true).build())
        .differs("listenerSettings", "the default startup timeout left unset", () -> Route.builder("main")
            .listen("127.0.0.1:6432")
            .tls(TLS)
            .backend("db.internal:5432")
            .backendTls(BackendTls.verifyFull(Path.of("/etc/pgtls/root.crt")))
            .handshakeTimeout(Duration.ofSeconds(10))
            .connectTimeout(Duration.ofSeconds(5))
            .allowPlaintextCancel(false)
            .maxConnections(100)
            .idleTimeout(Duration.ofMinutes(10))
            .allowPlaintextClients(false)
            .serverNames("a.db.example.com", "*.tenants.example.com")
            .clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN))
            .proxyProtocol(BALANCER)
            .allowedSources("10.1.0.0/16", "192.0.2.7")
            .backendProxyProtocol(ProxyProtocol.Versions.V2)
            .tlsEngine(TlsEngines.jdk())
            .build())
        .differs("serverNames", "none (the default route)", () -> main().serverNames().build())
        .differs("serverNames", "in another order", () -> main()
            .serverNames("*.tenants.example.com", "a.db.example.com").build())
        .differs("clientIdentity", "from the DN", () -> main()
            .clientIdentity(ClientIdentity.from(ClientIdentity.Source.DN)).build())
        .differs("proxyProtocol", "another balancer", () -> main()
            .proxyProtocol(ProxyProtocol.trusting("10.0.0.3/32")).build())
        .differs("allowedSources", "every address", () -> main().allowedSources(List.of()).build())
        .differs("allowedSources", "one fewer", () -> main().allowedSources("10.1.0.0/16").build())
        .differs("backendProxyProtocol", "V1", () -> main().backendProxyProtocol(ProxyProtocol.Versions.V1).build())
        .tests();
  }

  @Test
  void aRouteGivenTheDefaultTimeoutIsNotOneLeftAtItSinceAListenerRefusesTheFirst() {
    // Why listenerSettings counts: the same values, but only one of the two may go on a Listener.
    Route given = Route.builder("main").backend("127.0.0.1:5432").backendTls(BackendTls.disabled())
        .startupTimeout(Route.DEFAULT_STARTUP_TIMEOUT).build();
    Route left = Route.builder("main").backend("127.0.0.1:5432").backendTls(BackendTls.disabled()).build();
    assertThat(given.startupTimeout()).isEqualTo(left.startupTimeout());
    assertThat(given).isNotEqualTo(left);
    assertThatThrownBy(() -> PgTlsProxy.builder()
            .listener(Listener.builder("127.0.0.1:0").tls(TLS).route(given).build()).build())
        .isInstanceOf(PgTlsException.class)
        .hasMessageContaining("startupTimeout is a listener setting; set it on listener 127.0.0.1:0");
  }
}
