package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.launcher.config.ReadmeExample;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every configuration mistake stops pgtls with exit code 1 and one message naming the file, the
 * line when known, and the key. Each test is named after the mistake it keeps from passing silently.
 */
class BadConfigTest {
  @TempDir Path dir;

  private Path file;

  private CommandRun check(String toml) throws Exception {
    file = dir.resolve("pgtls.toml");
    Files.writeString(file, toml);
    return CommandRun.of("--check", "--config", file.toString());
  }

  private void assertRejected(CommandRun run, String message) {
    assertThat(run.errLine()).isEqualTo(message);
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.out()).isEmpty();
  }

  private static String readmeWith(String line, String replacement) {
    assertThat(ReadmeExample.TEXT).contains(line);
    return ReadmeExample.TEXT.replace(line, replacement);
  }

  @Test
  void typoInKeyIsAnErrorNotSilentlyIgnored() throws Exception {
    CommandRun run = check("""
        [[proxy]]
          [proxy.listener]
          bind_adress = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          [proxy.backend]
          address = "db:5432"
        """);
    assertRejected(run, file + ":3: unknown key 'proxy[1].listener.bind_adress'");
  }

  @Test
  void aShortCancelKeySecretIsAnErrorNotAWeakSecret() throws Exception {
    Path secret = Files.write(dir.resolve("cancel.key"), new byte[31]);
    CommandRun run = check("cancel_key_secret_file = \"" + secret + "\"\n" + ReadmeExample.TEXT);
    assertRejected(run, file + ":1: cancel_key_secret_file: " + secret + " holds 31 bytes; a cancel key secret needs at least 32 (for "
        + "example: head -c 32 /dev/urandom > " + secret + ")");
  }

  @Test
  void aMissingCancelKeySecretFileIsAnErrorNotARandomSecret() throws Exception {
    Path secret = dir.resolve("absent.key");
    CommandRun run = check("cancel_key_secret_file = \"" + secret + "\"\n" + ReadmeExample.TEXT);
    assertThat(run.errLine()).startsWith(file + ":1: cancel_key_secret_file: cannot read " + secret + ": ");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
  }

  @Test
  void typoInTopLevelKeyIsAnErrorNotSilentlyIgnored() throws Exception {
    CommandRun run = check("loglevel = \"debug\"\n" + ReadmeExample.TEXT);
    assertRejected(run, file + ":1: unknown key 'loglevel'");
  }

  @Test
  void stringForABooleanIsAnErrorNotTruthy() throws Exception {
    CommandRun run = check(readmeWith("mtls = true", "mtls = \"yes\""));
    assertRejected(run, file + ":7: proxy[1].listener.mtls: expected a boolean, got string \"yes\"");
  }

  @Test
  void missingRequiredKeyNamesTheRouteAndTheKey() throws Exception {
    CommandRun run = check(readmeWith("  address = \"10.0.1.50:5432\"\n", ""));
    assertRejected(run, file + ": proxy[2].backend.address: missing required key");
  }

  @Test
  void missingRequiredTableNamesItsHeader() throws Exception {
    CommandRun run = check("""
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
        """);
    assertRejected(run, file + ": proxy[1].backend: missing required table [proxy.backend]");
  }

  @Test
  void mtlsWithoutClientCaIsAnErrorNotAnOpenListener() throws Exception {
    CommandRun run = check(readmeWith("  client_ca = \"/etc/pgtls/certs/client-ca.pem\"\n", ""));
    assertRejected(run, file + ":7: proxy[1].listener: mtls is true (client_cert = \"required\") but client_ca is missing; "
        + "set client_ca to the CA file that client certificates must chain to");
  }

  @Test
  void clientCaWithMtlsFalseIsAnErrorNotSilentlyOff() throws Exception {
    CommandRun run = check(readmeWith("mtls = true", "mtls = false"));
    assertRejected(run, file + ":8: proxy[1].listener: client_ca is set but mtls is false; "
        + "set mtls = true (client_cert = \"required\") to require client certificates, or remove client_ca");
  }

  @Test
  void clientCertWithoutClientKeyIsAnErrorNotAnAnonymousClient() throws Exception {
    CommandRun run = check(readmeWith("  root_ca = \"/etc/pgtls/certs/backend-ca.pem\"\n",
        "  root_ca = \"/etc/pgtls/certs/backend-ca.pem\"\n  client_cert = \"/etc/pgtls/certs/client.pem\"\n"));
    assertRejected(run, file + ":13: proxy[1].backend: client_cert is set but client_key is missing; "
        + "a client certificate needs its private key");
  }

  @Test
  void clientKeyWithoutClientCertIsAnError() throws Exception {
    CommandRun run = check(readmeWith("  root_ca = \"/etc/pgtls/certs/backend-ca.pem\"\n",
        "  root_ca = \"/etc/pgtls/certs/backend-ca.pem\"\n  client_key = \"/etc/pgtls/certs/client.key\"\n"));
    assertRejected(run, file + ":13: proxy[1].backend: client_key is set but client_cert is missing; "
        + "a client key needs its certificate");
  }

  @Test
  void tomlSyntaxErrorReportsLineAndColumn() throws Exception {
    CommandRun run = check(readmeWith("mtls = true", "mtls = yes"));
    assertRejected(run, file + ":7:10: invalid TOML: Unexpected 'y', expected ', \", ''', \"\"\", a number, "
        + "a boolean, a date/time, an array, or a table");
  }

  @Test
  void durationGarbageIsAnErrorNotADefault() throws Exception {
    CommandRun run = check("""
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          cert_refresh_interval = "soon"
          [proxy.backend]
          address = "db:5432"
        """);
    assertRejected(run, file + ":6: proxy[1].listener.cert_refresh_interval: invalid duration \"soon\"; write a "
        + "whole number with a unit (ms, s, m, min, h, d) such as \"45s\", \"10m\" or \"24h\", or a whole number of seconds");
  }

  @Test
  void zeroTimeoutIsAnErrorNotAnInstantTimeout() throws Exception {
    CommandRun run = check("""
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          [proxy.backend]
          address = "db:5432"
          connect_timeout = 0
        """);
    assertRejected(run, file + ":8: proxy[1].backend.connect_timeout: must be positive, got integer 0");
  }

  @Test
  void rootCaOnPlaintextBackendIsAnErrorNotSilentlyUnencrypted() throws Exception {
    CommandRun run = check(ReadmeExample.TEXT + "  root_ca = \"/etc/pgtls/certs/backend-ca.pem\"\n");
    assertRejected(run, file + ":21: proxy[2].backend: root_ca is set but tls_enabled is false; "
        + "remove root_ca or set tls_enabled = true");
  }

  @Test
  void twoTlsKeysOnAPlaintextBackendNameTheFirstWrittenNotAnInternalError() throws Exception {
    CommandRun run = check(ReadmeExample.TEXT + "  server_name = \"db.internal\"\n"
        + "  root_ca = \"/etc/pgtls/certs/backend-ca.pem\"\n");
    assertRejected(run, file + ":21: proxy[2].backend: server_name is set but tls_enabled is false; "
        + "remove server_name or set tls_enabled = true");
  }

  @Test
  void unknownVerifyModeIsAnErrorNotVerifyFull() throws Exception {
    CommandRun run = check(ReadmeExample.TEXT.replace("tls_enabled = true", "verify = \"full\""));
    assertRejected(run, file + ":11: proxy[1].backend.verify: expected \"verify-full\" or \"verify-ca\", got string \"full\"");
  }

  @Test
  void unknownLogLevelIsAnErrorNotInfo() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "log_level = \"verbose\""));
    assertRejected(run, file + ":1: log_level: expected one of trace, debug, info, warn, error, got string \"verbose\"");
  }

  @Test
  void addressWithoutPortIsAnError() throws Exception {
    CommandRun run = check(readmeWith("bind_address = \"0.0.0.0:6432\"", "bind_address = \"0.0.0.0\""));
    assertRejected(run, file + ":4: proxy[1].listener.bind_address: '0.0.0.0' is not host:port (e.g. 127.0.0.1:6432)");
  }

  @Test
  void singleBracketProxyTableIsExplainedNotIgnored() throws Exception {
    CommandRun run = check("""
        [proxy]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
        """);
    assertRejected(run, file + ":1: proxy: expected an array of tables [[proxy]], got a table; "
        + "write [[proxy]], not [proxy]");
  }

  @Test
  void configWithoutRoutesIsAnErrorNotAnIdleProcess() throws Exception {
    CommandRun run = check("log_level = \"info\"\n");
    assertRejected(run, file + ": proxy: missing required table [[proxy]]");
  }

  @Test
  void duplicateRouteNameIsAnErrorNotAmbiguousLogs() throws Exception {
    CommandRun run = check(readmeWith("[[proxy]]\n  [proxy.listener]\n  bind_address = \"127.0.0.1:6433\"",
        "[[proxy]]\n  name = \"proxy-1\"\n  [proxy.listener]\n  bind_address = \"127.0.0.1:6433\""));
    assertRejected(run, file + ":14: proxy[2].name: \"proxy-1\" is already the name of proxy[1]; "
        + "route names must be unique");
  }

  @Test
  void missingConfigFileIsAUsageError() {
    Path missing = dir.resolve("nope.toml");
    CommandRun run = CommandRun.of("--check", "--config", missing.toString());
    assertRejected(run, missing + ": no such file");
  }

  @Test
  void runModeRejectsABadConfigBeforeStartingAnything() throws Exception {
    file = dir.resolve("pgtls.toml");
    Files.writeString(file, readmeWith("mtls = true", "mtls = 1"));
    CommandRun run = CommandRun.of("--config", file.toString());
    assertRejected(run, file + ":7: proxy[1].listener.mtls: expected a boolean, got integer 1");
  }

  @Test
  void twoRoutesOnOneAddressWithoutServerNamesAreRefusedAtTheSecondNotBothDefault() throws Exception {
    // Caught by the core's build(), not by the TOML reader: the core names both routes and the
    // setting, the launcher adds where the second route's listener is written.
    CommandRun run = check("""
        [[proxy]]
          listener = { bind_address = "127.0.0.1:6432", server_cert = "proxy.pem", server_key = "proxy.key" }
          backend = { address = "127.0.0.1:5432", tls_enabled = false }
        [[proxy]]
          listener = { bind_address = "127.0.0.1:6432", server_cert = "proxy.pem", server_key = "proxy.key" }
          backend = { address = "127.0.0.1:5432", tls_enabled = false }
        """);
    assertRejected(run, file + ":5: route 'proxy-2': routes 'proxy-1' and 'proxy-2' are both default routes "
        + "(they name no server names); a listener has at most one");
  }

  /** Two routes sharing 127.0.0.1:6432, the second's listener table ending with {@code secondExtra}. */
  private static String sharedListener(String firstExtra, String secondExtra) {
    return """
        [[proxy]]
          name = "tenant-a"
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_names = ["a.db.example.com"]
          server_cert = "proxy.pem"
          server_key = "proxy.key"
        %s
          [proxy.backend]
          address = "127.0.0.1:5432"
          tls_enabled = false
        [[proxy]]
          name = "tenant-b"
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_names = ["b.db.example.com"]
          server_cert = "proxy.pem"
          server_key = "proxy.key"
        %s
          [proxy.backend]
          address = "127.0.0.1:5433"
          tls_enabled = false
        """.formatted(firstExtra, secondExtra);
  }

  @Test
  void disagreeingStartupTimeoutsOnASharedListenerAreRefusedNamingBothAtTheSecondsLine() throws Exception {
    CommandRun run = check(sharedListener("  startup_timeout = \"10s\"", "  startup_timeout = \"20s\""));
    assertRejected(run, file + ":19: route 'tenant-b': routes 'tenant-a' and 'tenant-b' share listener.bind_address "
        + "127.0.0.1:6432, so their startup_timeout must agree: 'tenant-a' has 10000 ms, 'tenant-b' has 20000 ms");
  }

  @Test
  void startupTimeoutOnOnlyTheFirstSharingRouteIsRefusedNotSilentlyTheListeners() throws Exception {
    CommandRun run = check(sharedListener("  startup_timeout = \"10s\"", ""));
    assertRejected(run, file + ":14: route 'tenant-b': routes 'tenant-a' and 'tenant-b' share listener.bind_address "
        + "127.0.0.1:6432, so their startup_timeout must agree: 'tenant-a' has 10000 ms, 'tenant-b' has 60000 ms");
  }

  @Test
  void plaintextCancelPolicyDisagreeingOnASharedListenerIsRefusedNotTheFirstsPolicy() throws Exception {
    CommandRun run = check(sharedListener("", "  allow_plaintext_cancel = false"));
    assertRejected(run, file + ":19: route 'tenant-b': routes 'tenant-a' and 'tenant-b' share listener.bind_address "
        + "127.0.0.1:6432, so their allow_plaintext_cancel must agree: 'tenant-a' has true, 'tenant-b' has false");
  }

  @Test
  void malformedServerNameIsPlacedAtItsServerNamesLineNamingTheRouteOnce() throws Exception {
    CommandRun run = check(sharedListener("", "").replace("\"a.db.example.com\"", "\"*db.example.com\""));
    assertRejected(run, file + ":5: route 'tenant-a': server name '*db.example.com' is malformed: a wildcard must be "
        + "the whole first label, as in '*.example.com'");
  }

  @Test
  void oneServerNameClaimedByTwoRoutesIsRefusedAtTheSecondNotFirstComeFirstServed() throws Exception {
    CommandRun run = check(sharedListener("", "").replace("\"b.db.example.com\"", "\"A.db.example.com.\""));
    assertRejected(run, file + ":16: route 'tenant-b': routes 'tenant-a' and 'tenant-b' both name server name "
        + "'a.db.example.com' (written 'a.db.example.com' and 'A.db.example.com.'); a name may lead to one route only");
  }

  @Test
  void emptyServerNamesIsRefusedNotASilentDefaultRoute() throws Exception {
    CommandRun run = check(sharedListener("", "").replace("[\"b.db.example.com\"]", "[]"));
    assertRejected(run, file + ":16: proxy[2].listener.server_names: the list is empty; name at least one server "
        + "name, or remove server_names to make this route its listener's default route");
  }

  @Test
  void emptyAllowedSourcesIsRefusedNotARouteOpenToEveryAddress() throws Exception {
    CommandRun run = check(sharedListener("", "  allowed_sources = []"));
    assertRejected(run, file + ":19: proxy[2].listener.allowed_sources: the list is empty; name the client addresses "
        + "the route admits, such as [\"10.0.0.0/8\"], or remove allowed_sources to admit every address");
  }

  @Test
  void badAllowedSourcesRangeIsPlacedAtItsLineByTheCoreNotResolvedAsAName() throws Exception {
    CommandRun run = check(sharedListener("", "  allowed_sources = [\"10.0.0.0/8\", \"db.example.com\"]"));
    assertRejected(run, file + ":19: route 'tenant-b': listener.allowed_sources: entry 2: 'db.example.com' is not an "
        + "address range: 'db.example.com' is not an IPv4 or IPv6 address (names are not resolved; IPv4 numbers have "
        + "no leading zeros)");
  }

  @Test
  void backendPortZeroIsAnErrorAtItsLineNotAConnectionToNowhere() throws Exception {
    CommandRun run = check("""
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          [proxy.backend]
          address = "db:0"
        """);
    assertRejected(run, file + ":7: route 'proxy-1': backend.address db:0 needs a port");
  }

  @Test
  void plaintextClientsWithMtlsIsAnErrorAtItsLineNotOptionalMtls() throws Exception {
    CommandRun run = check(readmeWith("mtls = true", "mtls = true\n  allow_plaintext_clients = true"));
    assertRejected(run, file + ":8: route 'proxy-1': allow_plaintext_clients and mtls exclude each other: "
        + "a plaintext client would skip the client certificate check");
  }

  @Test
  void missingCertificateFileIsReportedByCoreNamingTheRoute() throws Exception {
    PemFiles.selfSigned(dir, "proxy");
    Path missingKey = dir.resolve("missing.key");
    CommandRun run = check("""
        [[proxy]]
          name = "main"
          [proxy.listener]
          bind_address = "127.0.0.1:0"
          server_cert = "proxy.pem"
          server_key = "missing.key"
          [proxy.backend]
          address = "127.0.0.1:5432"
          tls_enabled = false
        """);
    assertThat(run.errLine()).contains("route 'main'").contains(missingKey.toString());
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.out()).doesNotContain("configuration OK");
  }

  @Test
  void unknownLogFormatIsAnErrorNotSilentlyText() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "log_format = \"JSON\""));
    assertRejected(run, file + ":1: log_format: expected \"text\" or \"json\", got string \"JSON\"");
  }

  @Test
  void unknownCryptoProviderIsAnErrorNotSilentlyTheJdks() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "crypto_provider = \"openssl\""));
    assertRejected(run, file + ":1: crypto_provider: expected \"auto\", \"accp\" or \"jdk\", got string \"openssl\"");
  }

  @Test
  void unknownTlsEngineIsAnErrorNotSilentlyTheJdks() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "tls_engine = \"openssl\""));
    assertRejected(run, file + ":1: tls_engine: expected \"auto\", \"jdk\" or \"boringssl\", got string \"openssl\"");
  }

  @Test
  void tlsEngineInUpperCaseIsAnErrorAsEveryNamedChoiceIs() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "tls_engine = \"BoringSSL\""));
    assertRejected(run, file + ":1: tls_engine: expected \"auto\", \"jdk\" or \"boringssl\", got string \"BoringSSL\"");
  }

  @Test
  void zeroDrainTimeoutIsAnErrorNotAnInstantCut() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "drain_timeout = 0"));
    assertRejected(run, file + ":1: drain_timeout: must be positive, got integer 0");
  }

  @Test
  void typoInAdminTableIsAnErrorNotAnEndpointSilentlyOff() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "[admin]\nbind_adress = \"127.0.0.1:9187\""));
    assertRejected(run, file + ":2: unknown key 'admin.bind_adress'");
  }

  @Test
  void adminTableWithoutAddressIsAnErrorNotADefaultPort() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "[admin]"));
    assertRejected(run, file + ": admin.bind_address: missing required key");
  }

  @Test
  void adminAsAStringIsExplainedNotIgnored() throws Exception {
    CommandRun run = check(readmeWith("log_level = \"info\"", "admin = \"127.0.0.1:9187\""));
    assertRejected(run, file + ":1: admin: expected a table [admin], got string \"127.0.0.1:9187\"");
  }

  @Test
  void aUnixSocketBackendWithTheDefaultTlsIsRefusedAtItsBackendTableNotSilentlyPlaintext() throws Exception {
    CommandRun run = check("""
        [[proxy]]
          name = "local"
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "proxy.pem"
          server_key = "proxy.key"
          [proxy.backend]
          address = "/var/run/postgresql"
        """);
    assertRejected(run, file + ":7: route 'local': backend.address /var/run/postgresql/.s.PGSQL.5432 is a "
        + "Unix-domain socket, over which PostgreSQL never speaks TLS; set tls_enabled = false "
        + "(BackendTls.disabled()) for this route");
  }

  @Test
  void aUnixSocketBackendWithTlsEnabledIsRefusedAtTheTlsEnabledLine() throws Exception {
    CommandRun run = check("""
        [[proxy]]
          name = "local"
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "proxy.pem"
          server_key = "proxy.key"
          [proxy.backend]
          address = "/var/run/postgresql/.s.PGSQL.5432"
          tls_enabled = true
        """);
    assertThat(run.errLine()).startsWith(file + ":9: route 'local': backend.address /var/run/postgresql/.s.PGSQL.5432 "
        + "is a Unix-domain socket");
  }

  @Test
  void aSocketFileWithAPortIsRefusedAsAmbiguousNotOneOfThemChosen() throws Exception {
    CommandRun run = check("""
        [[proxy]]
          listener = { bind_address = "127.0.0.1:6432", server_cert = "proxy.pem", server_key = "proxy.key" }
          backend = { address = "/run/pg/.s.PGSQL.5432:5433", tls_enabled = false }
        """);
    assertRejected(run, file + ":3: proxy[1].backend.address: '/run/pg/.s.PGSQL.5432:5433' names a socket file "
        + "and a port; write the socket file /run/pg/.s.PGSQL.5432 alone, or its directory and port /run/pg:5433");
  }
}
