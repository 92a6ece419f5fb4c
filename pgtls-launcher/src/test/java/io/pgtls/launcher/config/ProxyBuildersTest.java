package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.BackendTls.Verification;
import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import io.pgtls.HostPort;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapping onto the core's builders; nothing is built or started. */
class ProxyBuildersTest {
  @TempDir Path dir;

  private Route route(String toml, int index) throws Exception {
    Path file = dir.resolve("pgtls.toml");
    Files.writeString(file, toml);
    return ProxyBuilders.route(ConfigLoader.load(file).routes().get(index));
  }

  @Test
  void readmeExampleMapsOntoCoreRoutes() throws Exception {
    Route external = route(ReadmeExample.TEXT, 0);
    assertThat(external.name()).isEqualTo("proxy-1");
    assertThat(external.listen()).isEqualTo(HostPort.of("0.0.0.0", 6432));
    assertThat(external.listenerTls().certificateChain()).isEqualTo(Path.of("/etc/pgtls/certs/proxy-server.pem"));
    assertThat(external.listenerTls().privateKey()).isEqualTo(Path.of("/etc/pgtls/certs/proxy-server.key"));
    assertThat(external.listenerTls().clientCa()).contains(Path.of("/etc/pgtls/certs/client-ca.pem"));
    assertThat(external.backend()).isEqualTo(HostPort.of("db.example.com", 5432));
    assertThat(external.backendTls().enabled()).isTrue();
    assertThat(external.backendTls().rootCa()).contains(Path.of("/etc/pgtls/certs/backend-ca.pem"));
    assertThat(external.backendTls().verification()).isEqualTo(Verification.VERIFY_FULL);

    Route internal = route(ReadmeExample.TEXT, 1);
    assertThat(internal.listenerTls().mtls()).isFalse();
    assertThat(internal.backendTls()).isSameAs(BackendTls.disabled());
  }

  @Test
  void omittedTimeoutsKeepTheCoreDefaults() throws Exception {
    Route route = route("""
        [[proxy]]
        listener = { bind_address = "127.0.0.1:6432", server_cert = "a.pem", server_key = "a.key" }
        backend = { address = "db:5432" }
        """, 0);
    Route coreDefaults = Route.builder("defaults").build();

    assertThat(route.startupTimeout()).isEqualTo(coreDefaults.startupTimeout());
    assertThat(route.handshakeTimeout()).isEqualTo(coreDefaults.handshakeTimeout());
    assertThat(route.connectTimeout()).isEqualTo(coreDefaults.connectTimeout());
    assertThat(route.backendTls().enabled()).isTrue();
    assertThat(route.backendTls().rootCa()).isEmpty();
  }

  @Test
  void everyBackendTlsSettingReachesTheCore() throws Exception {
    Route route = route("""
        [[proxy]]
          name = "main"
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          startup_timeout = "20s"
          handshake_timeout = "5s"
          allow_plaintext_cancel = false
          [proxy.backend]
          address = "10.0.0.5:5432"
          client_cert = "client.pem"
          client_key = "client.key"
          server_name = "db.internal"
          verify = "verify-ca"
          connect_timeout = "2s"
          direct_tls = true
        """, 0);

    assertThat(route.name()).isEqualTo("main");
    assertThat(route.backendTls().rootCa()).isEmpty();
    assertThat(route.backendTls().clientCertificate()).contains(dir.resolve("client.pem"));
    assertThat(route.backendTls().clientKey()).contains(dir.resolve("client.key"));
    assertThat(route.backendTls().serverName()).contains("db.internal");
    assertThat(route.backendTls().verification()).isEqualTo(Verification.VERIFY_CA);
    assertThat(route.startupTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(route.handshakeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(route.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(route.backendTls().direct()).isTrue();
    assertThat(route.allowPlaintextCancel()).isFalse();
  }

  @Test
  void limitsAndTlsPolicyReachTheCore() throws Exception {
    Route route = route("""
        max_connections = 500
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          max_connections = 50
          idle_timeout = "15m"
          allow_plaintext_clients = true
          tls_versions = ["TLSv1.3"]
          cipher_suites = ["TLS_AES_256_GCM_SHA384"]
          [proxy.backend]
          address = "db:5432"
          tls_enabled = false
        """, 0);
    assertThat(route.maxConnections()).isEqualTo(50);
    assertThat(route.idleTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(route.allowPlaintextClients()).isTrue();
    assertThat(route.listenerTls().protocols()).containsExactly("TLSv1.3");
    assertThat(route.listenerTls().cipherSuites()).containsExactly("TLS_AES_256_GCM_SHA384");
    Path file = dir.resolve("pgtls.toml");
    assertThat(ConfigLoader.load(file).maxConnections()).contains(500);
  }

  @Test
  void optionalClientCertificatesWithRevocationListsReachTheCoreAsOptionalNotRequired() throws Exception {
    Route route = route("""
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          client_cert = "optional"
          client_ca = "client-ca.pem"
          client_crl = ["root.crl", "issuing.crl"]
          allow_expired_crl = true
          [proxy.backend]
          address = "db:5432"
        """, 0);
    ClientCertificates policy = route.listenerTls().clientCertificates().orElseThrow();
    assertThat(policy.mode()).isEqualTo(ClientCertificates.Mode.OPTIONAL);
    assertThat(policy.ca()).isEqualTo(dir.resolve("client-ca.pem"));
    assertThat(policy.revocationLists()).containsExactly(dir.resolve("root.crl"), dir.resolve("issuing.crl"));
    assertThat(policy.allowExpiredRevocationLists()).isTrue();
  }

  @Test
  void mtlsTrueReachesTheCoreAsRequiredWithoutRevocationLists() throws Exception {
    ClientCertificates policy = route(ReadmeExample.TEXT, 0).listenerTls().clientCertificates().orElseThrow();
    assertThat(policy.mode()).isEqualTo(ClientCertificates.Mode.REQUIRED);
    assertThat(policy.revocationLists()).isEmpty();
    assertThat(policy.allowExpiredRevocationLists()).isFalse();
    assertThat(route(ReadmeExample.TEXT, 1).listenerTls().clientCertificates()).isEmpty();
  }

  @Test
  void identityRuleWithMapLinesAndBackendSettingReachesTheCore() throws Exception {
    Route route = route("""
        [[proxy]]
          listener = { bind_address = "127.0.0.1:6432", server_cert = "a.pem", server_key = "a.key", client_cert = "required", client_ca = "ca.pem" }
          backend = { address = "db:5432" }
          [proxy.identity]
          source = "san_email"
          map = "certs"
          map_lines = ['certs /^(.*)@example\\.com$ \\1', 'certs admin-svc all']
          backend_setting = "pgtls.client_identity"
        """, 0);
    ClientIdentity identity = route.clientIdentity();
    assertThat(identity.source()).isEqualTo(ClientIdentity.Source.SAN_EMAIL);
    assertThat(identity.mapName()).isEqualTo("certs");
    assertThat(identity.mapLines()).containsExactly("certs /^(.*)@example\\.com$ \\1", "certs admin-svc all");
    assertThat(identity.mapFile()).isNull();
    assertThat(identity.backendSetting()).isEqualTo("pgtls.client_identity");
  }

  @Test
  void identityRuleWithAMapFileReachesTheCoreResolvedAgainstTheConfigDirectory() throws Exception {
    Route route = route("""
        [[proxy]]
          listener = { bind_address = "127.0.0.1:6432", server_cert = "a.pem", server_key = "a.key", client_cert = "optional", client_ca = "ca.pem" }
          backend = { address = "db:5432" }
          identity = { source = "dn", map = "certs", map_file = "pg_ident.conf" }
        """, 0);
    ClientIdentity identity = route.clientIdentity();
    assertThat(identity.source()).isEqualTo(ClientIdentity.Source.DN);
    assertThat(identity.mapFile()).isEqualTo(dir.resolve("pg_ident.conf"));
    assertThat(identity.mapName()).isEqualTo("certs");
    assertThat(identity.mapLines()).isNull();
    assertThat(identity.backendSetting()).isNull();
  }

  @Test
  void identityRuleWithoutAMapComparesTheCommonNameAndARouteWithoutOneHasNone() throws Exception {
    String toml = """
        [[proxy]]
          listener = { bind_address = "127.0.0.1:6432", server_cert = "a.pem", server_key = "a.key", mtls = true, client_ca = "ca.pem" }
          backend = { address = "db:5432" }
          [proxy.identity]
        """;
    ClientIdentity identity = route(toml, 0).clientIdentity();
    assertThat(identity.source()).isEqualTo(ClientIdentity.Source.CN);
    assertThat(identity.mapName()).isNull();
    assertThat(route(ReadmeExample.TEXT, 0).clientIdentity()).isNull();
  }

  @Test
  void plaintextCancelsAreAllowedUnlessTurnedOff() throws Exception {
    Route route = route("""
        [[proxy]]
        listener = { bind_address = "127.0.0.1:6432", server_cert = "a.pem", server_key = "a.key" }
        backend = { address = "db:5432" }
        """, 0);
    assertThat(route.allowPlaintextCancel()).isTrue();
    assertThat(route.backendTls().direct()).isFalse();
  }

  @Test
  void serverNamesReachTheCoreAsWritten() throws Exception {
    Route route = route("""
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_names = ["a.db.example.com", "*.tenants.example.com", "pg_primary", "no_sni"]
          server_cert = "a.pem"
          server_key = "a.key"
          [proxy.backend]
          address = "db:5432"
        """, 0);
    assertThat(route.serverNames()).containsExactly("a.db.example.com", "*.tenants.example.com", "pg_primary", "no_sni");
  }

  @Test
  void allowedSourcesReachTheCoreAsWrittenAndARouteWithoutThemAdmitsEveryAddress() throws Exception {
    Route route = route("""
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          allowed_sources = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]
          [proxy.backend]
          address = "db:5432"
        """, 0);
    assertThat(route.allowedSources()).containsExactly("10.0.0.0/8", "2001:db8::/32", "192.0.2.7");
    assertThat(route(ReadmeExample.TEXT, 0).allowedSources()).isEmpty();
  }

  @Test
  void twoProxyTablesWithOneBindAddressAreOneListenerNotABindConflict() throws Exception {
    IssuedCertificate cert = TestPki.create(dir.resolve("pki")).server("pgtls", "a.db.example.com", "b.db.example.com");
    Path file = Files.writeString(dir.resolve("pgtls.toml"), """
        [[proxy]]
          name = "a"
          listener = { bind_address = "127.0.0.1:6432", server_names = ["a.db.example.com"], server_cert = "%1$s", server_key = "%2$s" }
          backend = { address = "127.0.0.1:5432", tls_enabled = false }
        [[proxy]]
          name = "b"
          listener = { bind_address = "127.0.0.1:6432", server_names = ["b.db.example.com"], server_cert = "%1$s", server_key = "%2$s" }
          backend = { address = "127.0.0.1:5433", tls_enabled = false }
        """.formatted(cert.certificateFile(), cert.privateKeyFile()));
    try (PgTlsProxy proxy = ProxyBuilders.builder(ConfigLoader.load(file)).build()) {
      assertThat(proxy.routing()).isEqualTo(Map.of("127.0.0.1:6432", List.of(
          "exact    a.db.example.com -> a",
          "exact    b.db.example.com -> b",
          "refuse   (any other server name, or none) -> unrecognized_name alert")));
      assertThat(proxy.serverNameWarnings()).isEmpty();
    }
  }
}
