package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.ClientCertificates.Mode;
import io.pgtls.ClientLimits;
import io.pgtls.PgTlsProxy;
import io.pgtls.ProxyProtocol;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files operators start from: {@code examples/pgtls.toml} and the TOML inside
 * {@code deploy/kubernetes.yaml} are valid configurations, and the deployments give pgtls more time
 * to stop than its drain takes.
 */
class ExampleConfigTest {
  static final Path EXAMPLE = Path.of("..", "examples", "pgtls.toml");

  @Test
  void annotatedExampleLoadsWithEverySetting() throws Exception {
    PgTlsConfig config = ConfigLoader.load(EXAMPLE);
    assertThat(config.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.admin().orElseThrow().bindAddress().port()).isEqualTo(9187);
    assertThat(ProxyBuilders.clientLimits(config).orElseThrow()).as("the example writes the defaults")
        .usingRecursiveComparison().isEqualTo(ClientLimits.defaults());
    assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("main", "internal", "tenant-a", "tenants");
    RouteConfig main = config.routes().get(0);
    assertThat(main.listener().certRefreshInterval()).contains(Duration.ofHours(24));
    assertThat(main.listener().allowedSources()).containsExactly("10.0.0.0/8", "2001:db8::/32");
    assertThat(main.listener().proxyProtocol()).as("commented: the tenants share main's listener").isEmpty();
    assertThat(main.listener().clientCertificates().orElseThrow().mode()).isEqualTo(Mode.REQUIRED);
    assertThat(main.backend().tls().orElseThrow().clientCertificate()).isPresent();
    assertThat(main.identity().orElseThrow().map().orElseThrow().lines())
        .containsExactly("certs /^(.*)@example\\.com$ \\1", "certs admin-svc all");
    assertThat(config.routes().get(1).backend().tls()).isEmpty();
    assertThat(config.routes().get(3).listener().serverNames()).containsExactly("*.tenants.example.com");
  }

  /**
   * Built by the core, with certificates issued for the example's relative paths: the tenants
   * share main's port, main is their default route, and each tenant's certificate names its names.
   */
  @Test
  void annotatedExampleBuildsWithTheTenantsSharingMainsPort(@TempDir Path dir) throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    Path certs = Files.createDirectories(dir.resolve("certs"));
    install(pki.server("proxy", "db.example.com"), certs, "proxy");
    install(pki.server("internal", "localhost"), certs, "internal");
    install(pki.server("tenant-a", "a.db.example.com"), certs, "tenant-a");
    install(pki.server("tenants", "*.tenants.example.com"), certs, "tenants");
    install(pki.client("pgtls"), certs, "pgtls-client");
    Files.copy(pki.caCertificateFile(), certs.resolve("client-ca.pem"));
    Files.copy(pki.caCertificateFile(), certs.resolve("db-ca.pem"));

    PgTlsConfig config = ConfigLoader.parse(Files.readString(EXAMPLE), EXAMPLE.toString(), dir);
    try (PgTlsProxy proxy = ProxyBuilders.builder(config).build()) {
      assertThat(proxy.routing()).containsEntry("0.0.0.0:6432", List.of(
          "exact    a.db.example.com -> tenant-a",
          "wildcard *.tenants.example.com -> tenants",
          "default  (any other server name, or none) -> main"));
      assertThat(proxy.routing()).containsEntry("127.0.0.1:6433", List.of(
          "default  (any other server name, or none) -> internal"));
      assertThat(proxy.serverNameWarnings()).isEmpty();
    }
  }

  private static void install(IssuedCertificate c, Path certs, String name) throws Exception {
    Files.copy(c.certificateFile(), certs.resolve(name + ".pem"));
    Files.copy(c.privateKeyFile(), certs.resolve(name + ".key"));
  }

  @Test
  void kubernetesConfigMapLoadsAndTheGracePeriodOutlastsTheDrain() throws Exception {
    String yaml = Files.readString(Path.of("..", "deploy", "kubernetes.yaml"));
    Matcher block = Pattern.compile("(?s)  pgtls\\.toml: \\|\\n(.*?)\\n---").matcher(yaml);
    assertThat(block.find()).as("ConfigMap key pgtls.toml").isTrue();
    String toml = block.group(1).replaceAll("(?m)^    ", "");
    PgTlsConfig config = ConfigLoader.parse(toml, "kubernetes.yaml", Path.of("/"));
    assertThat(config.admin()).isPresent();
    Matcher grace = Pattern.compile("terminationGracePeriodSeconds: (\\d+)").matcher(yaml);
    assertThat(grace.find()).isTrue();
    Matcher preStop = Pattern.compile("command: \\[\"sleep\", \"(\\d+)\"]").matcher(yaml);
    assertThat(preStop.find()).isTrue();
    assertThat(Duration.ofSeconds(Long.parseLong(grace.group(1))))
        .isGreaterThan(config.drainTimeout().plusSeconds(Long.parseLong(preStop.group(1))));
  }

  /**
   * The commented {@code proxy_protocol} line of the ConfigMap is a valid setting once uncommented,
   * and the Service says how to make the balancer send what it expects.
   */
  @Test
  void kubernetesProxyProtocolLineLoadsWhenUncommentedAndTheServiceSaysHowToSendIt() throws Exception {
    String yaml = Files.readString(Path.of("..", "deploy", "kubernetes.yaml"));
    Matcher block = Pattern.compile("(?s)  pgtls\\.toml: \\|\\n(.*?)\\n---").matcher(yaml);
    assertThat(block.find()).isTrue();
    String toml = block.group(1).replaceAll("(?m)^    ", "");
    Matcher commented = Pattern.compile("(?m)^(\\s*)# (proxy_protocol = \\{.*})$").matcher(toml);
    assertThat(commented.find()).as("a commented proxy_protocol line").isTrue();
    PgTlsConfig config = ConfigLoader.parse(commented.replaceFirst("$1$2"), "kubernetes.yaml", Path.of("/"));
    ProxyProtocolConfig proxyProtocol = config.routes().get(0).listener().proxyProtocol().orElseThrow();
    assertThat(proxyProtocol.trusted()).containsExactly("10.0.0.0/16");
    assertThat(proxyProtocol.versions()).isEqualTo(ProxyProtocol.Versions.V2);
    assertThat(ConfigLoader.parse(toml, "kubernetes.yaml", Path.of("/")).routes().get(0).listener().proxyProtocol())
        .as("off as shipped: the Service does not send headers until its annotations are uncommented").isEmpty();
    assertThat(yaml).contains("service.beta.kubernetes.io/aws-load-balancer-proxy-protocol: \"*\"");
  }

  @Test
  void systemdStopTimeoutOutlastsTheDefaultDrain() throws Exception {
    String unit = Files.readString(Path.of("..", "deploy", "pgtls.service"));
    Matcher stop = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)s$").matcher(unit);
    assertThat(stop.find()).isTrue();
    assertThat(Duration.ofSeconds(Long.parseLong(stop.group(1)))).isGreaterThan(PgTlsConfig.DEFAULT_DRAIN_TIMEOUT);
    assertThat(unit).contains("ExecReload=/bin/kill -HUP $MAINPID", "Restart=on-failure", "NoNewPrivileges=yes",
        "ProtectSystem=strict", "ReadOnlyPaths=");
  }
}
