package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.PgTlsException;
import io.pgtls.ProxyProtocol;
import io.pgtls.ProxyProtocol.Untrusted;
import io.pgtls.ProxyProtocol.Versions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The {@code proxy_protocol} table of {@code [proxy.listener]}: read, mapped onto the core's {@link
 * ProxyProtocol}, and refused at its line when half written. Each test of a refusal is named after
 * the silent outcome it prevents.
 */
class ProxyProtocolConfigTest {
  private static final Path DIR = Path.of("/etc/pgtls");

  /** A one-route file whose listener table ends, from line 6 on, with {@code listenerLines}. */
  private static String withListener(String... listenerLines) {
    return """
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "a.pem"
          server_key = "a.key"
        """ + Arrays.stream(listenerLines).map(line -> "  " + line + "\n").collect(Collectors.joining()) + """
          [proxy.backend]
          address = "db:5432"
          tls_enabled = false
        """;
  }

  private static PgTlsConfig config(String toml) throws ConfigException {
    return ConfigLoader.parse(toml, "pgtls.toml", DIR);
  }

  private static ProxyProtocolConfig proxyProtocol(String... listenerLines) throws ConfigException {
    return config(withListener(listenerLines)).routes().get(0).listener().proxyProtocol().orElseThrow();
  }

  private static void assertRefused(String message, String... listenerLines) {
    assertThatThrownBy(() -> config(withListener(listenerLines))).isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  /** What the core's {@code build()} says about {@code toml}, placed in the file by {@link PgTlsConfig#describe}. */
  private static String buildFailure(String toml) throws ConfigException {
    PgTlsConfig config = config(toml);
    try {
      ProxyBuilders.builder(config).build().close();
    } catch (PgTlsException e) {
      return config.describe(e);
    }
    throw new AssertionError("build() accepted " + toml);
  }

  @Test
  void onlyTrustedKeepsTheCoreDefaults() throws Exception {
    ProxyProtocolConfig p = proxyProtocol("[proxy.listener.proxy_protocol]", "trusted = [\"10.0.0.2/32\"]");
    assertThat(p).isEqualTo(new ProxyProtocolConfig(List.of("10.0.0.2/32"), Versions.V1_AND_V2, Untrusted.REFUSE,
        ProxyProtocol.DEFAULT_MAX_V2_LENGTH));
    assertThat(ProxyBuilders.proxyProtocol(p)).isEqualTo(ProxyProtocol.trusting("10.0.0.2/32"));
  }

  @Test
  void aListenerWithoutTheTableReadsNoHeader() throws Exception {
    assertThat(config(withListener()).routes().get(0).listener().proxyProtocol()).isEmpty();
    assertThat(ProxyBuilders.route(config(withListener()).routes().get(0)).proxyProtocol()).isNull();
  }

  @Test
  void everyKeyReachesTheCoresRoute() throws Exception {
    RouteConfig route = config(withListener("[proxy.listener.proxy_protocol]",
        "trusted = [\"10.0.0.0/8\", \"2001:db8::/32\"]", "versions = \"v2\"", "untrusted = \"direct\"",
        "max_v2_length = 512")).routes().get(0);
    assertThat(ProxyBuilders.route(route).proxyProtocol()).isEqualTo(ProxyProtocol.trusting("10.0.0.0/8",
        "2001:db8::/32").versions(Versions.V2).untrusted(Untrusted.DIRECT).maxV2Length(512));
    assertThat(route.listener()).hasToString("listener{127.0.0.1:6432 cert=/etc/pgtls/a.pem key=/etc/pgtls/a.key "
        + "proxy_protocol{trusted=[10.0.0.0/8, 2001:db8::/32] versions=v2 untrusted=direct max_v2_length=512}}");
  }

  @Test
  void everyVersionsValueIsReadByItsName() throws Exception {
    assertThat(proxyProtocol("proxy_protocol = { trusted = [\"10.0.0.2\"], versions = \"v1\" }").versions())
        .isEqualTo(Versions.V1);
    assertThat(proxyProtocol("proxy_protocol = { trusted = [\"10.0.0.2\"], versions = \"v2\" }").versions())
        .isEqualTo(Versions.V2);
    assertThat(proxyProtocol("proxy_protocol = { trusted = [\"10.0.0.2\"], versions = \"v1v2\" }").versions())
        .isEqualTo(Versions.V1_AND_V2);
  }

  @Test
  void anInlineTableAndDottedKeysMeanTheSameAsAHeader() throws Exception {
    ProxyProtocolConfig header = proxyProtocol("[proxy.listener.proxy_protocol]", "trusted = [\"10.0.0.2/32\"]",
        "untrusted = \"direct\"");
    assertThat(proxyProtocol("proxy_protocol = { trusted = [\"10.0.0.2/32\"], untrusted = \"direct\" }"))
        .isEqualTo(header);
    assertThat(proxyProtocol("proxy_protocol.trusted = [\"10.0.0.2/32\"]", "proxy_protocol.untrusted = \"direct\""))
        .isEqualTo(header);
  }

  @Test
  void emptyTrustedIsAnErrorNotAHeaderBelievedFromAnyone() {
    assertRefused("pgtls.toml:7: proxy[1].listener.proxy_protocol.trusted: the list is empty; name the load "
        + "balancers whose PROXY protocol headers are believed, such as [\"10.0.0.2/32\"], or remove proxy_protocol",
        "[proxy.listener.proxy_protocol]", "trusted = []");
    assertRefused("pgtls.toml:6: proxy[1].listener.proxy_protocol.trusted: the list is empty; name the load "
        + "balancers whose PROXY protocol headers are believed, such as [\"10.0.0.2/32\"], or remove proxy_protocol",
        "proxy_protocol = { trusted = [] }");
  }

  @Test
  void missingTrustedIsAnErrorAtTheTableNotAHeaderBelievedFromAnyone() {
    assertRefused("pgtls.toml:6: proxy[1].listener.proxy_protocol: trusted is missing; name the load balancers "
        + "whose PROXY protocol headers are believed, such as trusted = [\"10.0.0.2/32\"]",
        "[proxy.listener.proxy_protocol]", "versions = \"v2\"");
    assertRefused("pgtls.toml:6: proxy[1].listener.proxy_protocol: trusted is missing; name the load balancers "
        + "whose PROXY protocol headers are believed, such as trusted = [\"10.0.0.2/32\"]",
        "proxy_protocol = {}");
  }

  @Test
  void unknownVersionsIsAnErrorNotBothVersions() {
    assertRefused("pgtls.toml:8: proxy[1].listener.proxy_protocol.versions: expected \"v1\", \"v2\" or \"v1v2\", "
        + "got string \"V2\"", "[proxy.listener.proxy_protocol]", "trusted = [\"10.0.0.2/32\"]", "versions = \"V2\"");
    assertRefused("pgtls.toml:8: proxy[1].listener.proxy_protocol.versions: expected a string, got integer 2",
        "[proxy.listener.proxy_protocol]", "trusted = [\"10.0.0.2/32\"]", "versions = 2");
  }

  @Test
  void unknownUntrustedIsAnErrorNotRefuse() {
    assertRefused("pgtls.toml:8: proxy[1].listener.proxy_protocol.untrusted: expected \"refuse\" or \"direct\", got "
        + "string \"allow\"", "[proxy.listener.proxy_protocol]", "trusted = [\"10.0.0.2/32\"]", "untrusted = \"allow\"");
  }

  @Test
  void maxV2LengthOutOfRangeIsAnErrorNotATruncatedHeader() {
    assertRefused("pgtls.toml:8: proxy[1].listener.proxy_protocol.max_v2_length: must be from 12 to 65535, got 70000",
        "[proxy.listener.proxy_protocol]", "trusted = [\"10.0.0.2/32\"]", "max_v2_length = 70000");
    assertRefused("pgtls.toml:8: proxy[1].listener.proxy_protocol.max_v2_length: must be from 12 to 65535, got -1",
        "[proxy.listener.proxy_protocol]", "trusted = [\"10.0.0.2/32\"]", "max_v2_length = -1");
  }

  @Test
  void typoInAProxyProtocolKeyIsAnErrorNotSilentlyIgnored() {
    assertRefused("pgtls.toml:8: unknown key 'proxy[1].listener.proxy_protocol.untrusted_peers'",
        "[proxy.listener.proxy_protocol]", "trusted = [\"10.0.0.2/32\"]", "untrusted_peers = \"direct\"");
  }

  @Test
  void proxyProtocolAsABooleanIsExplainedNotTakenForOn() {
    assertRefused("pgtls.toml:6: proxy[1].listener.proxy_protocol: expected a table [proxy.listener.proxy_protocol], "
        + "got boolean true", "proxy_protocol = true");
  }

  @Test
  void aBadTrustedCidrIsPlacedAtItsTrustedLineByTheCoresError() throws Exception {
    String failure = buildFailure(withListener("[proxy.listener.proxy_protocol]", "versions = \"v2\"",
        "trusted = [\"10.0.0.2/32\", \"10.0.0.1/8\"]"));
    assertThat(failure).isEqualTo("pgtls.toml:8: route 'proxy-1': listener.proxy_protocol.trusted: entry 2: "
        + "'10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?");
    String inline = buildFailure(withListener("proxy_protocol = { trusted = [\"10.0.0.0/33\"] }"));
    assertThat(inline).startsWith("pgtls.toml:6: route 'proxy-1': listener.proxy_protocol.trusted: entry 1: ");
  }

  @Test
  void routesSharingAnAddressThatDisagreeOnProxyProtocolAreRefusedAtTheSecondsTableNotTheFirstsPolicy()
      throws Exception {
    String toml = """
        [[proxy]]
          name = "a"
          listener = { bind_address = "127.0.0.1:6432", server_names = ["a.example.com"], server_cert = "a.pem", server_key = "a.key", proxy_protocol = { trusted = ["10.0.0.2/32"] } }
          backend = { address = "db:5432", tls_enabled = false }
        [[proxy]]
          name = "b"
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_names = ["b.example.com"]
          server_cert = "a.pem"
          server_key = "a.key"
          [proxy.listener.proxy_protocol]
          trusted = ["10.0.0.3/32"]
          [proxy.backend]
          address = "db:5432"
          tls_enabled = false
        """;
    assertThat(buildFailure(toml)).isEqualTo("pgtls.toml:12: route 'b': routes 'a' and 'b' share "
        + "listener.bind_address 127.0.0.1:6432, so their proxy_protocol must agree: 'a' has ProxyProtocol{V1_AND_V2 "
        + "from [10.0.0.2/32], untrusted REFUSE}, 'b' has ProxyProtocol{V1_AND_V2 from [10.0.0.3/32], untrusted "
        + "REFUSE}");
    String secondWithout = toml.replace("  [proxy.listener.proxy_protocol]\n  trusted = [\"10.0.0.3/32\"]\n", "");
    assertThat(buildFailure(secondWithout)).isEqualTo("pgtls.toml:7: route 'b': routes 'a' and 'b' share "
        + "listener.bind_address 127.0.0.1:6432, so their proxy_protocol must agree: 'a' has ProxyProtocol{V1_AND_V2 "
        + "from [10.0.0.2/32], untrusted REFUSE}, 'b' has none");
  }

  @Test
  void sendProxyTowardTheBackendIsOffUnlessWrittenAndReachesTheCoresRoute() throws Exception {
    assertThat(ProxyBuilders.route(config(withListener()).routes().get(0)).backendProxyProtocol()).isNull();
    String v2 = withListener().replace("tls_enabled = false", "tls_enabled = false\n  send_proxy = \"v2\"");
    assertThat(ProxyBuilders.route(config(v2).routes().get(0)).backendProxyProtocol()).isEqualTo(Versions.V2);
    String off = withListener().replace("tls_enabled = false", "tls_enabled = false\n  send_proxy = \"off\"");
    assertThat(ProxyBuilders.route(config(off).routes().get(0)).backendProxyProtocol()).isNull();
    String wrong = withListener().replace("tls_enabled = false", "tls_enabled = false\n  send_proxy = \"V2\"");
    assertThatThrownBy(() -> config(wrong)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("send_proxy: expected \"off\", \"v1\" or \"v2\"");
  }
}
