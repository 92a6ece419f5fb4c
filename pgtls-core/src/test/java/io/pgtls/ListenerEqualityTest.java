package io.pgtls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Listener} equality: its settings, its routes in order, and whether it was made from a
 * route's own settings, which changes what it accepts.
 */
class ListenerEqualityTest {
  private static final ListenerTls TLS = ListenerTls.pem(Path.of("/etc/pgtls/server.crt"),
      Path.of("/etc/pgtls/server.key"));

  private static Route route(String name, String backend) {
    return Route.builder(name).backend(backend).backendTls(BackendTls.disabled()).serverNames(name + ".example.com")
        .build();
  }

  private static Listener.Builder listener() {
    return Listener.builder("0.0.0.0:6432")
        .tls(TLS)
        .startupTimeout(Duration.ofSeconds(20))
        .handshakeTimeout(Duration.ofSeconds(5))
        .allowPlaintextCancel(false)
        .allowPlaintextClients(true)
        .proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32"))
        .route(route("a", "10.0.0.5:5432"))
        .route(route("b", "10.0.0.6:5432"));
  }

  @TestFactory
  Stream<DynamicTest> aListenerCountsItsSettingsAndRoutes() {
    return EqualityTable.of(Listener.class, () -> listener().build())
        .same("from a HostPort", () -> Listener.builder(HostPort.of("0.0.0.0", 6432)).tls(TLS)
            .startupTimeout(Duration.ofSeconds(20)).handshakeTimeout(Duration.ofSeconds(5)).allowPlaintextCancel(false)
            .allowPlaintextClients(true).proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32"))
            .route(route("a", "10.0.0.5:5432")).route(route("b", "10.0.0.6:5432")).build())
        .differs("address", "another port", () -> Listener.builder("0.0.0.0:6433").tls(TLS)
            .startupTimeout(Duration.ofSeconds(20)).handshakeTimeout(Duration.ofSeconds(5)).allowPlaintextCancel(false)
            .allowPlaintextClients(true).proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32"))
            .route(route("a", "10.0.0.5:5432")).route(route("b", "10.0.0.6:5432")).build())
        .differs("tls", "none", () -> listener().tls(null).build())
        .differs("tls", "another key", () -> listener()
            .tls(ListenerTls.pem(Path.of("/etc/pgtls/server.crt"), Path.of("/etc/pgtls/new.key"))).build())
        .differs("startupTimeout", "21s", () -> listener().startupTimeout(Duration.ofSeconds(21)).build())
        .differs("handshakeTimeout", "6s", () -> listener().handshakeTimeout(Duration.ofSeconds(6)).build())
        .differs("allowPlaintextCancel", "true", () -> listener().allowPlaintextCancel(true).build())
        .differs("allowPlaintextClients", "false", () -> listener().allowPlaintextClients(false).build())
        .differs("proxyProtocol", "none", () -> listener().proxyProtocol(null).build())
        .differs("routes", "one more", () -> listener().route(route("c", "10.0.0.7:5432")).build())
        .differs("routes", "one whose backend moved", () -> Listener.builder("0.0.0.0:6432").tls(TLS)
            .startupTimeout(Duration.ofSeconds(20)).handshakeTimeout(Duration.ofSeconds(5)).allowPlaintextCancel(false)
            .allowPlaintextClients(true).proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32"))
            .route(route("a", "10.0.0.5:5432")).route(route("b", "10.0.0.8:5432")).build())
        .differs("routes", "in another order", () -> Listener.builder("0.0.0.0:6432").tls(TLS)
            .startupTimeout(Duration.ofSeconds(20)).handshakeTimeout(Duration.ofSeconds(5)).allowPlaintextCancel(false)
            .allowPlaintextClients(true).proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32"))
            .route(route("b", "10.0.0.6:5432")).route(route("a", "10.0.0.5:5432")).build())
        .changedElsewhere("ofRoute", "aListenerMadeFromARouteIsNotOneBuiltWithTheSameSettings")
        .tests();
  }

  private static Route standalone() {
    return Route.builder("own").listen("127.0.0.1:6432").tls(TLS).backend("10.0.0.5:5432")
        .backendTls(BackendTls.disabled()).startupTimeout(Duration.ofSeconds(20)).build();
  }

  private static Listener builtLikeOwn() {
    return Listener.builder("127.0.0.1:6432").tls(TLS).startupTimeout(Duration.ofSeconds(20)).route(standalone())
        .build();
  }

  @TestFactory
  Stream<DynamicTest> aListenerMadeFromARouteIsNotOneBuiltWithTheSameSettings() {
    // Listener.of shares its address with other routes' listeners and accepts routes that set
    // listener settings; a built listener does neither, so the two are not interchangeable.
    return EqualityTable.of(Listener.class, () -> Listener.of(standalone()))
        .differs("ofRoute", "built with Listener.builder", ListenerEqualityTest::builtLikeOwn)
        .differs("routes", "with another route joining it", () -> Listener.of(standalone())
            .with(Route.builder("joining").listen("127.0.0.1:6432").tls(TLS).backend("10.0.0.6:5432").build()))
        .changedElsewhere("address", "aListenerCountsItsSettingsAndRoutes")
        .changedElsewhere("tls", "aListenerCountsItsSettingsAndRoutes")
        .changedElsewhere("startupTimeout", "aListenerCountsItsSettingsAndRoutes")
        .changedElsewhere("handshakeTimeout", "aListenerCountsItsSettingsAndRoutes")
        .changedElsewhere("allowPlaintextCancel", "aListenerCountsItsSettingsAndRoutes")
        .changedElsewhere("allowPlaintextClients", "aListenerCountsItsSettingsAndRoutes")
        .changedElsewhere("proxyProtocol", "aListenerCountsItsSettingsAndRoutes")
        .tests();
  }
}
