package io.pgtls;

import io.pgtls.internal.route.SharedLimits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtls.internal.pg.CancelKeys;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.tls.TestMaterialFiles;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@link Listener} owns the client-facing settings; its routes only say where sessions go. */
class ListenerTest {
  @TempDir static Path dir;
  private static TestMaterialFiles files;

  @BeforeAll
  static void files() {
    files = TestMaterialFiles.write(dir);
  }

  private static ListenerTls tls() {
    return ListenerTls.pem(files.serverCertificate, files.serverKey);
  }

  private static Route backendOnly(String name) {
    return Route.builder(name).backend("127.0.0.1:5432").backendTls(BackendTls.disabled()).build();
  }

  @Test
  void aListenerWithOneRouteBindsAndTellsItsAddressByRouteName() throws Exception {
    try (PgTlsProxy proxy = PgTlsProxy.builder().name("listener")
        .listener(Listener.builder("127.0.0.1:0").tls(tls()).route(backendOnly("main")).build())
        .build().start()) {
      InetSocketAddress bound = proxy.boundAddress("main");
      assertThat(bound.getPort()).isPositive();
      try (Socket s = new Socket(bound.getAddress(), bound.getPort())) {
        assertThat(s.isConnected()).isTrue();
      }
      assertThat(proxy.routeNames()).containsExactly("main");
      assertThat(proxy.metrics()).extracting(RouteMetrics::route).containsExactly("main");
    }
  }

  @Test
  void twoRoutesOnOneListenerThatNameNoServerNamesAreBothDefaultRoutesAndRefused() {
    Listener two = Listener.builder("127.0.0.1:6432").tls(tls())
        .route(backendOnly("a")).route(backendOnly("b")).build();
    assertThatThrownBy(() -> PgTlsProxy.builder().listener(two).build())
        .isInstanceOf(PgTlsException.class)
        .hasMessage("route 'b': routes 'a' and 'b' are both default routes (they name no server names); "
            + "a listener has at most one")
        .satisfies(e -> assertThat(((PgTlsException) e).setting()).contains("listener.server_names"));
  }

  @Test
  void routesOnOneListenerAreChosenByServerNameWithTheirOwnCertificates() {
    Listener two = Listener.builder("127.0.0.1:0")
        .route(Route.builder("a").serverNames("a.db.test").tls(tls()).backend("127.0.0.1:5432")
            .backendTls(BackendTls.disabled()).build())
        .route(Route.builder("b").serverNames("*.tenants.test", "no_sni").tls(tls()).backend("127.0.0.1:5433")
            .backendTls(BackendTls.disabled()).build())
        .build();
    try (PgTlsProxy proxy = PgTlsProxy.builder().listener(two).build()) {
      assertThat(proxy.routeNames()).containsExactly("a", "b");
      assertThat(proxy.routing().values()).singleElement().asList()
          .anySatisfy(line -> assertThat((String) line).contains("a.db.test").contains("a"))
          .anySatisfy(line -> assertThat((String) line).contains("*.tenants.test").contains("b"));
    }
  }

  @Test
  void aListenerAndARouteOfItsOwnOnOneAddressAreRefused() {
    assertThatThrownBy(() -> PgTlsProxy.builder()
        .listener(Listener.builder("127.0.0.1:6432").tls(tls()).route(backendOnly("a")).build())
        .route(Route.builder("b").listen("127.0.0.1:6432").tls(tls()).backend("db:5432").build()).build())
        .hasMessage("route 'b': listener.bind_address 127.0.0.1:6432 is also used by route 'a'");
  }

  @Test
  void listenerSettingsOnARouteOfAListenerAreRefusedNotSilentlyIgnored() {
    Route withTimeout = Route.builder("a").listen("127.0.0.1:7000").startupTimeout(Duration.ofSeconds(5))
        .backend("127.0.0.1:5432").build();
    assertThatThrownBy(() -> PgTlsProxy.builder()
        .listener(Listener.builder("127.0.0.1:0").tls(tls()).route(withTimeout).build()).build())
        .hasMessage("route 'a': listen, startupTimeout are listener settings; set them on listener 127.0.0.1:0, "
            + "not on its route");
  }

  @Test
  void aListenerWithoutRoutesIsRefused() {
    assertThatThrownBy(() -> PgTlsProxy.builder().listener(Listener.builder("127.0.0.1:0").tls(tls()).build()).build())
        .hasMessage("listener 127.0.0.1:0: no routes; add at least one route");
  }

  @Test
  void aListenerSettingErrorNamesTheListenerAndTheSetting() {
    PgTlsException e = catchThrowableOfType(() -> PgTlsProxy.builder()
        .listener(Listener.builder("127.0.0.1:0").tls(tls()).handshakeTimeout(Duration.ZERO).route(backendOnly("a"))
            .build()).build(), PgTlsException.class);
    assertThat(e).hasMessage("listener 127.0.0.1:0: handshake_timeout must be positive, got PT0S");
    assertThat(e.route()).isEmpty();
    assertThat(e.setting()).contains("listener.handshake_timeout");
  }

  @Test
  void theCompiledRouteReportsTheListenersSettingsNotTheRouteBuildersDefaults() {
    Listener listener = Listener.builder("127.0.0.1:0").tls(tls())
        .startupTimeout(Duration.ofSeconds(7)).handshakeTimeout(Duration.ofSeconds(3))
        .allowPlaintextCancel(false).allowPlaintextClients(true)
        .route(Route.builder("main").backend("127.0.0.1:5432").backendTls(BackendTls.disabled())
            .connectTimeout(Duration.ofSeconds(2)).build())
        .build();
    CompiledRoute route = CompiledListener.compile(listener, SharedLimits.of(10, io.pgtls.ClientLimits.defaults()), CancelKeys.random()).routes().get(0);
    assertThat(route.listen()).isEqualTo(HostPort.of("127.0.0.1", 0));
    assertThat(route.startupTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(route.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(route.allowPlaintextCancel()).isFalse();
    assertThat(route.allowPlaintextClients()).isTrue();
    assertThat(route.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aRoutesOwnListenerSettingsBecomeItsListeners() {
    Route route = Route.builder("main").listen("127.0.0.1:0").tls(tls()).startupTimeout(Duration.ofSeconds(9))
        .allowPlaintextCancel(false).backend("127.0.0.1:5432").backendTls(BackendTls.disabled()).build();
    Listener own = Listener.of(route);
    assertThat(own.address()).isEqualTo(HostPort.of("127.0.0.1", 0));
    assertThat(own.startupTimeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(own.handshakeTimeout()).isEqualTo(Route.DEFAULT_HANDSHAKE_TIMEOUT);
    assertThat(own.allowPlaintextCancel()).isFalse();
    assertThat(own.routes()).containsExactly(route);
  }

  @Test
  void aRouteSettingErrorNamesTheRouteAndTheSetting() {
    PgTlsException e = catchThrowableOfType(() -> PgTlsProxy.builder()
        .listener(Listener.builder("127.0.0.1:0").tls(tls())
            .route(Route.builder("r").backend("db:0").backendTls(BackendTls.disabled()).build()).build()).build(),
        PgTlsException.class);
    assertThat(e).hasMessage("route 'r': backend.address db:0 needs a port");
    assertThat(e.route()).contains("r");
    assertThat(e.setting()).contains("backend.address");
  }
}
