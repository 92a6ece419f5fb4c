package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls.Verification;
import io.pgtls.HostPort;
import io.pgtls.launcher.config.BackendTlsConfig.ClientCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing only: nothing here needs the certificate files to exist. */
class ConfigLoaderTest {
  @TempDir Path dir;

  private PgTlsConfig load(String toml) throws Exception {
    Path file = dir.resolve("pgtls.toml");
    Files.writeString(file, toml);
    return ConfigLoader.load(file);
  }

  @Test
  void readmeExampleAsWrittenParsesIntoTwoRoutes() throws Exception {
    PgTlsConfig config = load(ReadmeExample.TEXT);

    assertThat(config.logLevel()).isEqualTo(LogLevel.INFO);
    assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("proxy-1", "proxy-2");

    RouteConfig external = config.routes().get(0);
    assertThat(external.listener().bindAddress()).isEqualTo(HostPort.of("0.0.0.0", 6432));
    assertThat(external.listener().serverCert()).isEqualTo(Path.of("/etc/pgtls/certs/proxy-server.pem"));
    assertThat(external.listener().serverKey()).isEqualTo(Path.of("/etc/pgtls/certs/proxy-server.key"));
    assertThat(external.listener().mtls()).isTrue();
    assertThat(external.listener().clientCa()).contains(Path.of("/etc/pgtls/certs/client-ca.pem"));
    assertThat(external.backend().address()).isEqualTo(HostPort.of("db.example.com", 5432));
    assertThat(external.backend().tls()).hasValueSatisfying(tls -> {
      assertThat(tls.rootCa()).contains(Path.of("/etc/pgtls/certs/backend-ca.pem"));
      assertThat(tls.verification()).isEqualTo(Verification.VERIFY_FULL);
      assertThat(tls.clientCertificate()).isEmpty();
      assertThat(tls.serverName()).isEmpty();
    });

    RouteConfig internal = config.routes().get(1);
    assertThat(internal.listener().bindAddress()).isEqualTo(HostPort.of("127.0.0.1", 6433));
    assertThat(internal.listener().serverCert()).isEqualTo(Path.of("/etc/pgtls/certs/internal-proxy.pem"));
    assertThat(internal.listener().serverKey()).isEqualTo(Path.of("/etc/pgtls/certs/internal-proxy.key"));
    assertThat(internal.listener().mtls()).isFalse();
    assertThat(internal.backend().address()).isEqualTo(HostPort.of("10.0.1.50", 5432));
    assertThat(internal.backend().tlsEnabled()).isFalse();
  }

  @Test
  void relativePathsResolveAgainstTheConfigDirectoryNotTheWorkingDirectory() throws Exception {
    PgTlsConfig config = load(ReadmeExample.TEXT.replace("/etc/pgtls/certs/", "certs/"));

    RouteConfig external = config.routes().get(0);
    assertThat(external.listener().serverCert()).isEqualTo(dir.resolve("certs/proxy-server.pem"));
    assertThat(external.listener().serverKey()).isEqualTo(dir.resolve("certs/proxy-server.key"));
    assertThat(external.listener().clientCa()).contains(dir.resolve("certs/client-ca.pem"));
    assertThat(external.backend().tls().orElseThrow().rootCa()).contains(dir.resolve("certs/backend-ca.pem"));
    assertThat(config.routes().get(1).listener().serverCert()).isEqualTo(dir.resolve("certs/internal-proxy.pem"));
  }

  @Test
  void cryptoProviderJdkIsReadAsTheJdksOwnProviders() throws Exception {
    PgTlsConfig config = load("crypto_provider = \"jdk\"\n" + ReadmeExample.TEXT);

    assertThat(config.cryptoProvider()).isEqualTo(CryptoProvider.JDK);
  }

  @Test
  void tlsEngineIsReadByItsName() throws Exception {
    assertThat(load("tls_engine = \"boringssl\"\n" + ReadmeExample.TEXT).tlsEngine()).isEqualTo(TlsEngineChoice.BORINGSSL);
    assertThat(load("tls_engine = \"jdk\"\n" + ReadmeExample.TEXT).tlsEngine()).isEqualTo(TlsEngineChoice.JDK);
    assertThat(load("tls_engine = \"auto\"\n" + ReadmeExample.TEXT).tlsEngine()).isEqualTo(TlsEngineChoice.AUTO);
  }

  @Test
  void omittedSettingsTakeTheDocumentedDefaults() throws Exception {
    PgTlsConfig config = load("""
        [[proxy]]
        listener = { bind_address = "127.0.0.1:6432", server_cert = "a.pem", server_key = "a.key" }
        backend = { address = "db:5432" }
        """);

    assertThat(config.logLevel()).isEqualTo(LogLevel.INFO);
    assertThat(config.cryptoProvider()).isEqualTo(CryptoProvider.AUTO);
    assertThat(config.tlsEngine()).isEqualTo(TlsEngineChoice.AUTO);
    RouteConfig route = config.routes().get(0);
    assertThat(route.name()).isEqualTo("proxy-1");
    assertThat(route.listener().mtls()).isFalse();
    assertThat(route.listener().certRefreshInterval()).isEmpty();
    assertThat(route.listener().startupTimeout()).isEmpty();
    assertThat(route.listener().handshakeTimeout()).isEmpty();
    assertThat(route.backend().connectTimeout()).isEmpty();
    // tls_enabled defaults to true, verified in full against the JDK's trust store.
    assertThat(route.backend().tls()).hasValueSatisfying(tls -> {
      assertThat(tls.rootCa()).isEmpty();
      assertThat(tls.verification()).isEqualTo(Verification.VERIFY_FULL);
    });
  }

  @Test
  void aUnixSocketBackendIsReadInEachOfLibpqsForms() throws Exception {
    for (String address : new String[] {"/var/run/postgresql/.s.PGSQL.5432", "/var/run/postgresql:5432",
        "/var/run/postgresql"}) {
      PgTlsConfig config = load("""
          [[proxy]]
          listener = { bind_address = "127.0.0.1:6432", server_cert = "a.pem", server_key = "a.key" }
          backend = { address = "%s", tls_enabled = false }
          """.formatted(address));

      BackendConfig backend = config.routes().get(0).backend();
      assertThat(backend.address().isUnixSocket()).as(address).isTrue();
      assertThat(backend.address()).as(address).hasToString("/var/run/postgresql/.s.PGSQL.5432");
      assertThat(backend.tls()).isEmpty();
    }
  }

  @Test
  void everyOptionalSettingIsRead() throws Exception {
    PgTlsConfig config = load("""
        log_level = "DEBUG"
        [[proxy]]
        name = "main"
          [proxy.listener]
          bind_address = "[::1]:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          cert_refresh_interval = "24h"
          startup_timeout = 20
          handshake_timeout = "1500ms"
          [proxy.backend]
          address = "10.0.0.5:5433"
          root_ca = "ca.pem"
          client_cert = "client.pem"
          client_key = "client.key"
          server_name = "db.internal"
          verify = "verify-ca"
          connect_timeout = "3s"
        """);

    assertThat(config.logLevel()).isEqualTo(LogLevel.DEBUG);
    RouteConfig route = config.routes().get(0);
    assertThat(route.name()).isEqualTo("main");
    assertThat(route.listener().bindAddress()).isEqualTo(HostPort.of("::1", 6432));
    assertThat(route.listener().certRefreshInterval()).contains(Duration.ofHours(24));
    assertThat(route.listener().startupTimeout()).contains(Duration.ofSeconds(20));
    assertThat(route.listener().handshakeTimeout()).contains(Duration.ofMillis(1500));
    assertThat(route.backend().connectTimeout()).contains(Duration.ofSeconds(3));
    BackendTlsConfig tls = route.backend().tls().orElseThrow();
    assertThat(tls.rootCa()).contains(dir.resolve("ca.pem"));
    assertThat(tls.clientCertificate()).contains(new ClientCertificate(dir.resolve("client.pem"), dir.resolve("client.key")));
    assertThat(tls.serverName()).contains("db.internal");
    assertThat(tls.verification()).isEqualTo(Verification.VERIFY_CA);
  }

  @Test
  void toStringIsOneReadableLine() throws Exception {
    PgTlsConfig config = load(ReadmeExample.TEXT);

    assertThat(config.toString()).doesNotContain("\n").doesNotContain("Optional").contains(
        "proxy-1{listener{0.0.0.0:6432 cert=/etc/pgtls/certs/proxy-server.pem key=/etc/pgtls/certs/proxy-server.key "
            + "client_cert=required client_ca=/etc/pgtls/certs/client-ca.pem} -> backend{db.example.com:5432 tls verify-full "
            + "root_ca=/etc/pgtls/certs/backend-ca.pem}}",
        "proxy-2{listener{127.0.0.1:6433 cert=/etc/pgtls/certs/internal-proxy.pem "
            + "key=/etc/pgtls/certs/internal-proxy.key} -> backend{10.0.1.50:5432 plaintext}}");
  }
}
