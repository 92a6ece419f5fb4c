package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ClientIdentity.Source;
import io.pgtls.launcher.config.IdentityConfig.IdentityMap;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The {@code [proxy.identity]} table. Each test of a refusal is named after the silent outcome it
 * prevents.
 */
class IdentityConfigTest {
  private static final Path DIR = Path.of("/etc/pgtls");

  /**
   * A one-route file with client certificates required and, from line 2 on, {@code identityLines}
   * (the table's header included).
   */
  private static String withIdentity(String... identityLines) {
    return "[[proxy]]\n" + Arrays.stream(identityLines).map(line -> "  " + line + "\n").collect(Collectors.joining())
        + """
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
          client_cert = "required"
          client_ca = "ca.pem"
          [proxy.backend]
          address = "db:5432"
          tls_enabled = false
        """;
  }

  private static RouteConfig route(String toml) throws ConfigException {
    return ConfigLoader.parse(toml, "pgtls.toml", DIR).routes().get(0);
  }

  private static IdentityConfig identity(String... identityLines) throws ConfigException {
    return route(withIdentity(identityLines)).identity().orElseThrow();
  }

  private static void assertRefused(String message, String... identityLines) {
    assertThatThrownBy(() -> identity(identityLines)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void anEmptyIdentityTableComparesTheCommonNameWithTheUser() throws Exception {
    assertThat(identity("[proxy.identity]")).isEqualTo(new IdentityConfig(Source.CN, Optional.empty(), Optional.empty()));
  }

  @Test
  void aRouteWithoutAnIdentityTableHasNoRule() throws Exception {
    assertThat(route(withIdentity()).identity()).isEmpty();
  }

  @Test
  void everySourceIsReadByItsLowerCaseName() throws Exception {
    for (Source source : Source.values()) {
      String name = source.name().toLowerCase(java.util.Locale.ROOT);
      assertThat(identity("[proxy.identity]", "source = \"" + name + "\"").source()).as(name).isEqualTo(source);
    }
  }

  @Test
  void sourceInUpperCaseIsAnErrorNotTheCommonName() {
    assertRefused("pgtls.toml:3: proxy[1].identity.source: expected \"cn\", \"dn\", \"san_dns\", \"san_email\" or "
        + "\"san_uri\", got string \"CN\"", "[proxy.identity]", "source = \"CN\"");
  }

  @Test
  void mapLinesWrittenAsLiteralStringsKeepTheirBackslashes() throws Exception {
    IdentityConfig identity = identity("[proxy.identity]", "source = \"san_email\"", "map = \"certs\"",
        "map_lines = ['certs /^(.*)@example\\.com$ \\1', 'certs admin-svc all']");
    assertThat(identity.map()).contains(new IdentityMap("certs", Optional.empty(),
        List.of("certs /^(.*)@example\\.com$ \\1", "certs admin-svc all")));
    assertThat(identity.map().orElseThrow().lines().get(0)).isEqualTo("certs /^(.*)@example" + '\\' + ".com$ " + '\\' + "1");
  }

  @Test
  void aRelativeMapFileResolvesAgainstTheConfigDirectory() throws Exception {
    IdentityConfig identity = identity("[proxy.identity]", "map = \"certs\"", "map_file = \"pg_ident.conf\"",
        "backend_setting = \"pgtls.client_identity\"");
    assertThat(identity.map()).contains(new IdentityMap("certs", Optional.of(DIR.resolve("pg_ident.conf")), List.of()));
    assertThat(identity.backendSetting()).contains("pgtls.client_identity");
    assertThat(identity).hasToString(
        "identity{source=cn map=certs map_file=/etc/pgtls/pg_ident.conf backend_setting=pgtls.client_identity}");
  }

  @Test
  void anInlineIdentityTableMeansTheSameAsAHeader() throws Exception {
    assertThat(identity("identity = { source = \"san_uri\", map = \"spiffe\", map_lines = ['spiffe /^spiffe://example.org/(.*)$ \\1'] }"))
        .isEqualTo(new IdentityConfig(Source.SAN_URI,
            Optional.of(new IdentityMap("spiffe", Optional.empty(), List.of("spiffe /^spiffe://example.org/(.*)$ \\1"))),
            Optional.empty()));
  }

  @Test
  void mapWithoutLinesIsAnErrorNotAnEmptyMapThatRefusesEveryone() {
    assertRefused("pgtls.toml:3: proxy[1].identity: map is set but neither map_file nor map_lines is; give the "
        + "lines of map \"certs\" in one of them, or remove map", "[proxy.identity]", "map = \"certs\"");
  }

  @Test
  void mapFileWithoutMapIsAnErrorNotAnIgnoredFile() {
    assertRefused("pgtls.toml:3: proxy[1].identity: map_file is set but map is missing; set map to the name (the "
        + "first field of the lines) of the map to use", "[proxy.identity]", "map_file = \"pg_ident.conf\"");
  }

  @Test
  void mapLinesWithoutMapIsAnErrorNotIgnoredLines() {
    assertRefused("pgtls.toml:4: proxy[1].identity: map_lines is set but map is missing; set map to the name (the "
        + "first field of the lines) of the map to use", "[proxy.identity]", "source = \"dn\"",
        "map_lines = ['certs alice alice']");
  }

  @Test
  void mapFileAndMapLinesTogetherAreAnErrorNotOneSilentlyWinning() {
    assertRefused("pgtls.toml:4: proxy[1].identity: map_lines and map_file are both set; keep one: map_file names a "
        + "pg_ident.conf file, map_lines gives the lines here", "[proxy.identity]", "map = \"certs\"",
        "map_lines = ['certs alice alice']", "map_file = \"pg_ident.conf\"");
  }

  @Test
  void emptyMapLinesIsAnErrorNotAMapThatRefusesEveryone() {
    assertRefused("pgtls.toml:4: proxy[1].identity.map_lines: the list is empty; write the map's lines, or remove "
        + "map_lines", "[proxy.identity]", "map = \"certs\"", "map_lines = []");
  }

  @Test
  void typoInAnIdentityKeyIsAnErrorNotSilentlyIgnored() {
    assertRefused("pgtls.toml:3: unknown key 'proxy[1].identity.map_flie'", "[proxy.identity]",
        "map_flie = \"pg_ident.conf\"");
  }

  @Test
  void blankBackendSettingIsAnErrorNotAnUnnamedSetting() {
    assertRefused("pgtls.toml:3: proxy[1].identity.backend_setting: must not be empty", "[proxy.identity]",
        "backend_setting = \" \"");
  }

  @Test
  void identityAsAStringIsExplainedNotIgnored() {
    assertRefused("pgtls.toml:2: proxy[1].identity: expected a table [proxy.identity], got string \"cn\"",
        "identity = \"cn\"");
  }

  @Test
  void identityWithoutClientCertificatesIsAnErrorAtItsTableNotARuleThatNeverHolds() {
    String message = ": proxy[1].identity: needs client certificates, but the listener does not ask for them; set "
        + "client_cert = \"required\" or \"optional\" (with client_ca) in [proxy.listener], or remove [proxy.identity]";
    String withoutCertificates = withIdentity("[proxy.identity]", "source = \"dn\"")
        .replace("  client_cert = \"required\"\n  client_ca = \"ca.pem\"\n", "");
    assertThatThrownBy(() -> route(withoutCertificates)).hasMessage("pgtls.toml:2" + message);
    String inline = withIdentity("identity = { source = \"dn\" }").replace("client_cert = \"required\"",
        "client_cert = \"off\"").replace("  client_ca = \"ca.pem\"\n", "");
    assertThatThrownBy(() -> route(inline)).hasMessage("pgtls.toml:2" + message);
  }
}
