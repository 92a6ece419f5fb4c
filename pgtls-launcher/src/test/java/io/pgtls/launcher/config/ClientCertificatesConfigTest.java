package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ClientCertificates.Mode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The client-certificate keys of {@code [proxy.listener]}: {@code client_cert}, its older spelling
 * {@code mtls}, {@code client_ca}, {@code client_crl} and {@code allow_expired_crl}. Each test of a
 * refusal is named after the silent outcome it prevents.
 */
class ClientCertificatesConfigTest {
  private static final Path DIR = Path.of("/etc/pgtls");

  /** A one-route file whose listener ends with {@code listenerLines} (from line 6 on). */
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
        """;
  }

  private static ListenerConfig listener(String... listenerLines) throws ConfigException {
    return ConfigLoader.parse(withListener(listenerLines), "pgtls.toml", DIR).routes().get(0).listener();
  }

  private static void assertRefused(String message, String... listenerLines) {
    assertThatThrownBy(() -> listener(listenerLines)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void clientCertOptionalIsReadAsOptionalNotRequired() throws Exception {
    ListenerConfig l = listener("client_cert = \"optional\"", "client_ca = \"ca.pem\"");
    assertThat(l.clientCertificates()).contains(
        new ClientCertificatesConfig(Mode.OPTIONAL, DIR.resolve("ca.pem"), List.of(), false));
    assertThat(l.mtls()).isTrue();
    assertThat(l.clientCa()).contains(DIR.resolve("ca.pem"));
  }

  @Test
  void clientCertRequiredAndMtlsTrueMeanTheSame() throws Exception {
    ClientCertificatesConfig required = new ClientCertificatesConfig(Mode.REQUIRED, DIR.resolve("ca.pem"), List.of(),
        false);
    assertThat(listener("client_cert = \"required\"", "client_ca = \"ca.pem\"").clientCertificates()).contains(required);
    assertThat(listener("mtls = true", "client_ca = \"ca.pem\"").clientCertificates()).contains(required);
    assertThat(listener("mtls = true", "client_cert = \"required\"", "client_ca = \"ca.pem\"").clientCertificates())
        .contains(required);
  }

  @Test
  void clientCertOffAndMtlsFalseAgreeOnNoClientCertificates() throws Exception {
    assertThat(listener("client_cert = \"off\"").clientCertificates()).isEmpty();
    assertThat(listener("mtls = false", "client_cert = \"off\"").clientCertificates()).isEmpty();
    assertThat(listener().clientCertificates()).isEmpty();
  }

  @Test
  void clientCertInUpperCaseIsAnErrorNotAGuess() {
    assertRefused("pgtls.toml:6: proxy[1].listener.client_cert: expected \"off\", \"optional\" or \"required\", "
        + "got string \"Required\"", "client_cert = \"Required\"", "client_ca = \"ca.pem\"");
  }

  @Test
  void mtlsTrueWithClientCertOptionalIsAContradictionNotOptional() {
    assertRefused("pgtls.toml:7: proxy[1].listener: client_cert = \"optional\" contradicts mtls = true, which means "
        + "client_cert = \"required\"; remove mtls (client_cert replaces it)",
        "mtls = true", "client_cert = \"optional\"", "client_ca = \"ca.pem\"");
  }

  @Test
  void mtlsTrueWithClientCertOffIsAContradictionNotOff() {
    assertRefused("pgtls.toml:6: proxy[1].listener: client_cert = \"off\" contradicts mtls = true, which means "
        + "client_cert = \"required\"; remove mtls (client_cert replaces it)",
        "client_cert = \"off\"", "mtls = true", "client_ca = \"ca.pem\"");
  }

  @Test
  void mtlsFalseWithClientCertOptionalOrRequiredIsAContradictionNotOn() {
    for (String mode : List.of("optional", "required")) {
      assertRefused("pgtls.toml:7: proxy[1].listener: client_cert = \"" + mode + "\" contradicts mtls = false, which "
          + "means client_cert = \"off\"; remove mtls (client_cert replaces it)",
          "mtls = false", "client_cert = \"" + mode + "\"", "client_ca = \"ca.pem\"");
    }
  }

  @Test
  void clientCertOptionalWithoutClientCaIsAnErrorNotAnyCertificate() {
    assertRefused("pgtls.toml:6: proxy[1].listener: client_cert is \"optional\" but client_ca is missing; set "
        + "client_ca to the CA file that client certificates must chain to", "client_cert = \"optional\"");
  }

  @Test
  void clientCaWithClientCertOffIsAnErrorNotSilentlyOff() {
    assertRefused("pgtls.toml:7: proxy[1].listener: client_ca is set but client_cert is \"off\"; set client_cert = "
        + "\"required\" or \"optional\" to ask clients for certificates, or remove client_ca",
        "client_cert = \"off\"", "client_ca = \"ca.pem\"");
  }

  @Test
  void clientCaWithNeitherKeyIsAnErrorNotSilentlyOff() {
    assertRefused("pgtls.toml:6: proxy[1].listener: client_ca is set but client certificates are off (client_cert "
        + "is not set); set client_cert = \"required\" or \"optional\" to ask clients for certificates, or remove "
        + "client_ca", "client_ca = \"ca.pem\"");
  }

  @Test
  void oneClientCrlAndAnArrayOfThemResolveAgainstTheConfigDirectory() throws Exception {
    assertThat(listener("client_cert = \"required\"", "client_ca = \"ca.pem\"", "client_crl = \"crl/ca.crl\"")
        .clientCertificates().orElseThrow().crls()).containsExactly(DIR.resolve("crl/ca.crl"));
    ClientCertificatesConfig c = listener("client_cert = \"optional\"", "client_ca = \"ca.pem\"",
        "client_crl = [\"root.crl\", \"/var/lib/crl/issuing.der\"]", "allow_expired_crl = true")
        .clientCertificates().orElseThrow();
    assertThat(c.crls()).containsExactly(DIR.resolve("root.crl"), Path.of("/var/lib/crl/issuing.der"));
    assertThat(c.allowExpiredCrl()).isTrue();
    assertThat(c).hasToString("client_cert=optional client_ca=/etc/pgtls/ca.pem "
        + "client_crl=[/etc/pgtls/root.crl, /var/lib/crl/issuing.der] allow_expired_crl");
  }

  @Test
  void clientCrlWithClientCertificatesOffIsAnErrorNotAnUncheckedList() {
    assertRefused("pgtls.toml:6: proxy[1].listener: client_crl is set but client certificates are off (client_cert "
        + "is not set); set client_cert = \"required\" or \"optional\" to ask clients for certificates, or remove "
        + "client_crl", "client_crl = \"ca.crl\"");
    assertRefused("pgtls.toml:7: proxy[1].listener: client_crl is set but mtls is false; set mtls = true "
        + "(client_cert = \"required\") to require client certificates, or remove client_crl",
        "mtls = false", "client_crl = \"ca.crl\"");
  }

  @Test
  void emptyClientCrlListIsAnErrorNotNoRevocationChecking() {
    assertRefused("pgtls.toml:8: proxy[1].listener.client_crl: the list is empty; name at least one file, or remove "
        + "client_crl", "client_cert = \"required\"", "client_ca = \"ca.pem\"", "client_crl = []");
  }

  @Test
  void clientCrlOfTheWrongTypeIsAnError() {
    assertRefused("pgtls.toml:8: proxy[1].listener.client_crl: expected a path or an array of paths, got boolean true",
        "client_cert = \"required\"", "client_ca = \"ca.pem\"", "client_crl = true");
    assertRefused("pgtls.toml:8: proxy[1].listener.client_crl: expected an array of strings, got integer 5 at "
        + "position 2", "client_cert = \"required\"", "client_ca = \"ca.pem\"", "client_crl = [\"a.crl\", 5]");
  }

  @Test
  void allowExpiredCrlWithoutClientCrlIsAnErrorNotAQuietNoOp() {
    assertRefused("pgtls.toml:8: proxy[1].listener: allow_expired_crl is set but client_crl is missing; it only "
        + "relaxes the check of client_crl's revocation lists: set client_crl, or remove allow_expired_crl",
        "client_cert = \"required\"", "client_ca = \"ca.pem\"", "allow_expired_crl = false");
  }

  @Test
  void allowExpiredCrlDefaultsToFailingClosed() throws Exception {
    assertThat(listener("client_cert = \"required\"", "client_ca = \"ca.pem\"", "client_crl = \"ca.crl\"")
        .clientCertificates().orElseThrow().allowExpiredCrl()).isFalse();
    assertRefused("pgtls.toml:9: proxy[1].listener.allow_expired_crl: expected a boolean, got string \"yes\"",
        "client_cert = \"required\"", "client_ca = \"ca.pem\"", "client_crl = \"ca.crl\"", "allow_expired_crl = \"yes\"");
  }
}
