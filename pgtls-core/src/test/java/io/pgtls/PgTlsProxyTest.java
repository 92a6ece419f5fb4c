package io.pgtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.tls.TestMaterialFiles;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's validation messages and the proxy's life cycle. */
class PgTlsProxyTest {
  @TempDir static Path dir;
  private static TestMaterialFiles files;

  @BeforeAll
  static void files() {
    files = TestMaterialFiles.write(dir);
  }

  private static Route.Builder route(String name) {
    return Route.builder(name).listen("127.0.0.1:0")
        .tls(ListenerTls.pem(files.serverCertificate, files.serverKey))
        .backend("127.0.0.1:5432").backendTls(BackendTls.disabled());
  }

  @Test
  void missingSettingsAreNamedWithTheirRoute() {
    assertThatThrownBy(() -> PgTlsProxy.builder().build())
        .hasMessage("pgtls[pgtls]: no routes configured; add at least one route");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(Route.builder("r").tls(
        ListenerTls.pem(files.serverCertificate, files.serverKey)).backend("db:5432").build()).build())
        .hasMessage("route 'r': listener.bind_address is not set");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(Route.builder("r").listen("127.0.0.1:0")
        .backend("db:5432").build()).build())
        .hasMessage("route 'r': listener TLS (server_cert, server_key) is not set");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("r").backend("db:0").build()).build())
        .hasMessage("route 'r': backend.address db:0 needs a port");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("r").connectTimeout(Duration.ZERO).build()).build())
        .hasMessage("route 'r': connect_timeout must be positive, got PT0S");
  }

  @Test
  void aUnixSocketBackendWithTlsIsRefusedNamingRouteAndSetting() {
    PgTlsException e = (PgTlsException) org.assertj.core.api.Assertions.catchThrowable(() -> PgTlsProxy.builder()
        .route(route("local").backend("/run/pg").backendTls(BackendTls.verifyFull()).build()).build());

    assertThat(e).hasMessage("route 'local': backend.address /run/pg/.s.PGSQL.5432 is a Unix-domain socket, "
        + "over which PostgreSQL never speaks TLS; set tls_enabled = false (BackendTls.disabled()) for this route");
    assertThat(e.setting()).contains("backend.tls_enabled");
    assertThat(e.route()).contains("local");
  }

  @Test
  void aUnixSocketPathTooLongForTheKernelIsRefusedBeforeAnyConnection() {
    String directory = "/" + "d".repeat(100);
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("local").backend(directory).build()).build())
        .hasMessage("route 'local': backend.address " + directory + "/.s.PGSQL.5432 is 115 bytes long; "
            + "a Unix-domain socket path may be at most 107");
  }

  @Test
  void aUnixSocketBindAddressIsRefused() {
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("r").listen(HostPort.unixSocket("/run/pgtls", 6432))
        .build()).build())
        .hasMessage("route 'r': listener.bind_address /run/pgtls/.s.PGSQL.6432 is a Unix-domain socket; "
            + "pgtls listens on TCP only (host:port)");
  }

  @Test
  void duplicateRouteNamesAndBindAddressesAreRefused() {
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("a").build()).route(route("a").build()).build())
        .hasMessage("route 'a': the name is used by another route");
    // Two routes on one address share its listener, and then at most one may name no server names.
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("a").listen("127.0.0.1:6432").build())
        .route(route("b").listen("127.0.0.1:6432").build()).build())
        .hasMessage("route 'b': routes 'a' and 'b' are both default routes (they name no server names); "
            + "a listener has at most one");
  }

  @Test
  void unreadableTlsMaterialFailsInBuildNamingRouteSettingAndFile() {
    Path missing = dir.resolve("missing.crt");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("main")
        .tls(ListenerTls.pem(missing, files.serverKey)).build()).build())
        .isInstanceOf(PgTlsException.class)
        .hasMessageStartingWith("route 'main': listener server_cert/server_key: ")
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("main")
        .tls(ListenerTls.pem(files.serverCertificate, files.strayKey)).build()).build())
        .hasMessageStartingWith("route 'main': listener server_cert/server_key: ")
        .hasMessageContaining("do not match");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("main")
        .backendTls(BackendTls.verifyFull(missing)).build()).build())
        .hasMessageStartingWith("route 'main': backend root_ca: ");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(route("main")
        .tls(ListenerTls.pem(files.serverCertificate, files.serverKey).protocols("TLSv1.1")).build()).build())
        .hasMessage("route 'main': listener TLS version 'TLSv1.1' is not allowed (use TLSv1.2 or TLSv1.3)");
  }

  @Test
  void portZeroIsBoundAndToldPerRouteAndCloseIsIdempotent() throws Exception {
    PgTlsProxy proxy = PgTlsProxy.builder().name("life").route(route("a").build())
        .route(route("b").listen("[::1]:0").build()).build();
    assertThatThrownBy(() -> proxy.boundAddress("a")).isInstanceOf(IllegalStateException.class);
    proxy.start();
    try {
      InetSocketAddress a = proxy.boundAddress("a");
      assertThat(a.getPort()).isPositive();
      assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      try (Socket s = new Socket(a.getAddress(), a.getPort())) {
        assertThat(s.isConnected()).isTrue();
      }
      assertThat(proxy.boundAddress("b").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
      assertThatThrownBy(() -> proxy.boundAddress("nope")).hasMessage("pgtls[life] has no route 'nope'");
      assertThat(proxy.isRunning()).isTrue();
    } finally {
      proxy.close();
      proxy.close();
    }
    assertThat(proxy.isRunning()).isFalse();
    assertThatThrownBy(proxy::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aRouteThatCannotBindFailsStartNamingTheRouteAndReleasesTheOthers() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      PgTlsProxy proxy = PgTlsProxy.builder().route(route("free").build())
          .route(route("taken").listen("127.0.0.1:" + taken.getLocalPort()).build()).build();
      assertThatThrownBy(proxy::start)
          .isInstanceOf(PgTlsException.class)
          .hasMessageStartingWith("route 'taken': cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
          .hasMessageContaining("in use");
      assertThat(proxy.isRunning()).isFalse();
    }
  }

  @Test
  void closeEndsLiveConnectionsAndTheirThreads() throws Exception {
    PgTlsProxy proxy = PgTlsProxy.builder().name("closing").loops(2).route(route("a").build()).build().start();
    InetSocketAddress a = proxy.boundAddress("a");
    try (Socket idle = new Socket(a.getAddress(), a.getPort())) {
      idle.setSoTimeout(10_000);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (proxy.activeConnections() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(proxy.activeConnections()).isEqualTo(1);
      proxy.close();
      InputStream in = idle.getInputStream();
      assertThat(in.read()).as("the proxy closed the idle connection").isEqualTo(-1);
    }
    assertThat(proxy.activeConnections()).isZero();
    assertThat(proxy.buffersInUse()).isZero();
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("pgtls-closing-loop"));
  }
}
