package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.Route;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code on_reload} key of a {@code [[proxy]]} table. */
class OnReloadConfigTest {
  @TempDir Path dir;

  private static String route(String extra) {
    return "[[proxy]]\n" + extra
        + "[proxy.listener]\nbind_address = \"127.0.0.1:6432\"\nserver_cert = \"c.pem\"\nserver_key = \"k.pem\"\n"
        + "[proxy.backend]\naddress = \"127.0.0.1:5432\"\ntls_enabled = false\n";
  }

  private PgTlsConfig load(String toml) throws Exception {
    Path file = Files.writeString(dir.resolve("pgtls.toml"), toml);
    return ConfigLoader.load(file);
  }

  @Test
  void leftOutItDrainsAsTheCoreDoes() throws Exception {
    RouteConfig route = load(route("")).routes().get(0);
    assertThat(route.onReload()).isEqualTo(Route.OnReload.DRAIN);
    assertThat(ProxyBuilders.route(route).onReload()).isEqualTo(Route.OnReload.DRAIN);
  }

  @Test
  void keepAndCloseReachTheCoreRoute() throws Exception {
    assertThat(ProxyBuilders.route(load(route("on_reload = \"keep\"\n")).routes().get(0)).onReload())
        .isEqualTo(Route.OnReload.KEEP);
    assertThat(ProxyBuilders.route(load(route("on_reload = \"close\"\n")).routes().get(0)).onReload())
        .isEqualTo(Route.OnReload.CLOSE);
  }

  @Test
  void anUpperCaseOrUnknownWordIsRefusedAtItsLine() {
    assertThatThrownBy(() -> load(route("on_reload = \"DRAIN\"\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pgtls.toml:2")
        .hasMessageContaining("expected \"drain\", \"keep\" or \"close\"");
  }
}
