package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
    assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("main", "internal");
    RouteConfig main = config.routes().get(0);
    assertThat(main.listener().certRefreshInterval()).contains(Duration.ofHours(24));
    assertThat(main.listener().mtls()).isTrue();
    assertThat(main.backend().tls().orElseThrow().clientCertificate()).isPresent();
    assertThat(config.routes().get(1).backend().tls()).isEmpty();
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
