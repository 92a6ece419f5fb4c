package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.HostPort;
import io.pgtls.launcher.config.CommandLineRoute.BackendLeg;
import io.pgtls.launcher.config.PgTlsConfig;
import io.pgtls.launcher.config.RouteConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The options that define one route without a file, and --admin. */
class OptionsTest {
  private static void assertUsage(String message, String... args) {
    CommandRun run = CommandRun.of(args);
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).startsWith("pgtls: " + message + System.lineSeparator());
    assertThat(run.out()).isEmpty();
  }

  @Test
  void routeOptionsMakeAOneRouteConfigWithoutAFile() throws Exception {
    Options options = Options.parse("--listen", "127.0.0.1:6432", "--backend", "db:5432", "--cert", "p.pem",
        "--key", "p.key", "--backend-ca", "ca.pem", "--admin", "127.0.0.1:0");
    assertThat(options.config()).isEmpty();
    assertThat(options.admin()).contains(HostPort.parse("127.0.0.1:0"));
    PgTlsConfig config = options.route().orElseThrow().toConfig();
    RouteConfig route = config.routes().get(0);
    assertThat(route.name()).isEqualTo("proxy-1");
    assertThat(route.listener().serverCert()).isEqualTo(Path.of("p.pem").toAbsolutePath());
    assertThat(route.backend().tls().orElseThrow().rootCa()).contains(Path.of("ca.pem").toAbsolutePath());
    assertThat(config.admin()).isEmpty(); // --admin is applied by the command, to files too
  }

  @Test
  void backendPlaintextIsAPlaintextLegNotTlsWithDefaults() throws Exception {
    Options options = Options.parse("--listen", "127.0.0.1:6432", "--backend", "db:5432", "--cert", "p.pem",
        "--key", "p.key", "--backend-plaintext");
    assertThat(options.route().orElseThrow().backendLeg()).isEqualTo(BackendLeg.PLAINTEXT);
    assertThat(options.route().orElseThrow().toConfig().routes().get(0).backend().tls()).isEmpty();
  }

  @Test
  void routeOptionsWithConfigAreAnErrorNotSilentlyIgnored() {
    assertUsage("option --listen cannot be combined with --config; write the route in the file, or leave out --config",
        "--config", "pgtls.toml", "--listen", "127.0.0.1:6432");
  }

  @Test
  void incompleteRouteNamesTheMissingOption() {
    assertUsage("option --cert is missing; a route without a file needs --listen, --backend, --cert and --key",
        "--listen", "127.0.0.1:6432", "--backend", "db:5432", "--key", "p.key");
  }

  @Test
  void backendCaWithPlaintextIsAContradictionNotAPlaintextLeg() {
    assertUsage("options --backend-ca and --backend-plaintext contradict each other; choose one",
        "--listen", "127.0.0.1:6432", "--backend", "db:5432", "--cert", "p.pem", "--key", "p.key",
        "--backend-ca", "ca.pem", "--backend-plaintext");
  }

  @Test
  void badAddressNamesTheOption() {
    assertUsage("option --listen: '6432' is not host:port (e.g. 127.0.0.1:6432)", "--listen", "6432");
    assertUsage("option --backend: port 0 is not a PostgreSQL port; write the backend's port, e.g. db:5432",
        "--backend", "db:0");
  }

  @Test
  void aUnixSocketBackendWithoutBackendPlaintextIsRefusedNotATlsLegThatCannotWork() {
    assertUsage("option --backend: /run/pg/.s.PGSQL.5432 is a Unix-domain socket, over which PostgreSQL never "
        + "speaks TLS; add --backend-plaintext",
        "--listen", "127.0.0.1:6432", "--backend", "/run/pg", "--cert", "p.pem", "--key", "p.key");
  }

  @Test
  void aUnixSocketBackendWithBackendPlaintextIsAPlaintextLegToTheSocketFile() throws Exception {
    Options options = Options.parse("--listen", "127.0.0.1:6432", "--backend", "/run/pg/.s.PGSQL.5433", "--cert",
        "p.pem", "--key", "p.key", "--backend-plaintext");
    assertThat(options.route().orElseThrow().backend().socketPath()).isEqualTo(Path.of("/run/pg/.s.PGSQL.5433"));
    assertThat(options.route().orElseThrow().backendLeg()).isEqualTo(BackendLeg.PLAINTEXT);
  }

  @Test
  void adminGivenTwiceIsAnErrorNotLastOneWins() {
    assertUsage("option --admin is given twice", "--admin", "127.0.0.1:1", "--admin", "127.0.0.1:2");
  }

  @Test
  void helpDocumentsEveryOptionAndTheExitCodes() {
    CommandRun run = CommandRun.of("--help");
    assertThat(run.out()).contains("--listen HOST:PORT", "--backend HOST:PORT", "--cert FILE", "--key FILE",
        "--backend-ca FILE", "--backend-plaintext", "--admin HOST:PORT", "SIGHUP",
        "0  stopped on request", "1  bad arguments or configuration", "2  failed to start");
  }
}
