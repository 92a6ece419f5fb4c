package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The command line; nothing here starts the proxy. */
class PgTlsCommandTest {
  @TempDir Path dir;

  @Test
  void helpExitsZeroAndPrintsUsageOnStdout() {
    for (String option : new String[] {"--help", "-h"}) {
      CommandRun run = CommandRun.of(option);
      assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
      assertThat(run.out()).startsWith("Usage: pgtls --config FILE ").contains("--check", "--version");
      assertThat(run.err()).isEmpty();
    }
  }

  @Test
  void helpWinsOverAnyOtherArgument() {
    assertThat(CommandRun.of("--config", "x.toml", "--help").exitCode()).isEqualTo(ExitCode.OK);
  }

  @Test
  void versionPrintsAVersionNotNull() {
    for (String option : new String[] {"--version", "-V"}) {
      CommandRun run = CommandRun.of(option);
      assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
      assertThat(run.out()).matches("pgtls [0-9A-Za-z.+-]+\\R").doesNotContain("null");
    }
  }

  @Test
  void unknownOptionExitsOneWithMessageAndUsage() {
    CommandRun run = CommandRun.of("--bogus");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).startsWith("pgtls: unknown option '--bogus'").contains("Usage: pgtls");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void strayArgumentIsNotTakenForTheConfigFile() {
    CommandRun run = CommandRun.of("pgtls.toml");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).startsWith("pgtls: unexpected argument 'pgtls.toml'");
  }

  @Test
  void missingOptionArgumentSaysWhichOneNotAnIndexError() {
    CommandRun run = CommandRun.of("--config");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).startsWith("pgtls: option --config needs a FILE argument");
  }

  @Test
  void optionIsNotSwallowedAsTheMissingArgument() {
    CommandRun run = CommandRun.of("-c", "--check");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).startsWith("pgtls: option -c needs a FILE argument");
  }

  @Test
  void configGivenTwiceIsAnErrorNotLastOneWins() {
    CommandRun run = CommandRun.of("-c", "a.toml", "--config", "b.toml");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).startsWith("pgtls: option --config is given twice");
  }

  @Test
  void noConfigIsAUsageErrorNotADefaultPath() {
    for (String[] args : new String[][] {{}, {"--check"}}) {
      CommandRun run = CommandRun.of(args);
      assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(run.err()).startsWith("pgtls: no configuration file given; use --config FILE");
    }
  }

  @Test
  void checkLoadsEveryRouteAndReportsWithoutListening() throws Exception {
    PemFiles.selfSigned(dir, "proxy");
    Path config = dir.resolve("pgtls.toml");
    Files.writeString(config, """
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:0"
          server_cert = "proxy.pem"
          server_key = "proxy.key"
          mtls = true
          client_ca = "proxy.pem"
          [proxy.backend]
          address = "127.0.0.1:5432"
          root_ca = "proxy.pem"
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:0"
          server_cert = "proxy.pem"
          server_key = "proxy.key"
          [proxy.backend]
          address = "127.0.0.1:5432"
          tls_enabled = false
        """);
    CommandRun run = CommandRun.of("--check", "-c", config.toString());
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).isEqualTo("configuration OK: 2 route(s)" + System.lineSeparator());
    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
  }

  @Test
  void logLevelAppliesAndCertRefreshIntervalIsTakenWithoutANotImplementedWarning() throws Exception {
    PemFiles.selfSigned(dir, "proxy");
    Path config = dir.resolve("pgtls.toml");
    Files.writeString(config, """
        log_level = "warn"
        [[proxy]]
          name = "main"
          [proxy.listener]
          bind_address = "127.0.0.1:0"
          server_cert = "proxy.pem"
          server_key = "proxy.key"
          cert_refresh_interval = "24h"
          [proxy.backend]
          address = "127.0.0.1:5432"
          tls_enabled = false
        """);
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level before = root.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    try {
      CommandRun run = CommandRun.of("--check", "--config", config.toString());

      assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
      assertThat(root.getLevel()).isEqualTo(Level.WARN);
      // cert_refresh_interval is implemented now (ProxyReloader): no "not implemented" warning.
      assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
          .noneMatch(message -> message.contains("cert_refresh_interval"));
    } finally {
      root.detachAppender(logs);
      root.setLevel(before);
    }
  }

  /** Three routes on one address: by exact name, by wildcard, and the default for every other name. */
  private Path multiTenant(Path cert, Path key) throws Exception {
    Path config = dir.resolve("pgtls.toml");
    String routes = """
        [[proxy]]
          name = "tenant-a"
          [proxy.listener]
          bind_address = "127.0.0.1:16432"
          server_names = ["a.db.example.com"]
          server_cert = "%1$s"
          server_key = "%2$s"
          [proxy.backend]
          address = "127.0.0.1:5432"
          tls_enabled = false
        [[proxy]]
          name = "tenants"
          [proxy.listener]
          bind_address = "127.0.0.1:16432"
          server_names = ["*.tenants.example.com"]
          server_cert = "%1$s"
          server_key = "%2$s"
          [proxy.backend]
          address = "127.0.0.1:5433"
          tls_enabled = false
        [[proxy]]
          name = "fallback"
          [proxy.listener]
          bind_address = "127.0.0.1:16432"
          server_cert = "%1$s"
          server_key = "%2$s"
          [proxy.backend]
          address = "127.0.0.1:5434"
          tls_enabled = false
        """.formatted(cert, key);
    return Files.writeString(config, routes);
  }

  @Test
  void checkSaysWhichServerNameGoesToWhichRouteOnASharedListener() throws Exception {
    IssuedCertificate covering = TestPki.create(dir.resolve("pki"))
        .server("pgtls", "a.db.example.com", "*.tenants.example.com", "db.example.com");
    CommandRun run = CommandRun.of("--check", "-c",
        multiTenant(covering.certificateFile(), covering.privateKeyFile()).toString());
    assertThat(run.err()).isEmpty();
    assertThat(run.out()).isEqualTo(String.join(System.lineSeparator(),
        "configuration OK: 3 route(s)",
        "listener 127.0.0.1:16432 routes by server name:",
        "  exact    a.db.example.com -> tenant-a",
        "  wildcard *.tenants.example.com -> tenants",
        "  default  (any other server name, or none) -> fallback",
        ""));
    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
  }

  @Test
  void checkWarnsWhenARoutesCertificateDoesNotNameItsServerNameButStillExitsZero() throws Exception {
    PemFiles.selfSigned(dir, "proxy"); // CN=localhost, no subject alternative names
    CommandRun run = CommandRun.of("--check", "-c",
        multiTenant(dir.resolve("proxy.pem"), dir.resolve("proxy.key")).toString());
    assertThat(run.out()).contains(
        "WARN route 'tenant-a': its certificate (CN=localhost) does not name a.db.example.com; clients connecting "
            + "with sslmode=verify-full to that name will refuse pgtls",
        "WARN route 'tenants': its certificate (CN=localhost) does not name *.tenants.example.com;");
    assertThat(run.out()).doesNotContain("route 'fallback': its certificate");
    assertThat(run.exitCode()).isEqualTo(ExitCode.OK);
  }
}
