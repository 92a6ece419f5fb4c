package io.pgtls.launcher.config;

import io.pgtls.ClientCertificates.Mode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads the client-certificate keys of a {@code [proxy.listener]} table ({@code client_cert},
 * {@code mtls}, {@code client_ca}, {@code client_crl}, {@code allow_expired_crl}) into a
 * {@link ClientCertificatesConfig}, empty when clients are not asked for certificates. {@code mtls =
 * true} means {@code client_cert = "required"} and {@code mtls = false} means {@code "off"}; the two
 * keys may both be written only when they agree. Every key that only means something with client
 * certificates is refused, not ignored, when they are off: a half-written policy must never leave a
 * listener silently open.
 */
final class ClientCertificatesReader {
  /** The values of {@code client_cert}. */
  private enum Setting {
    OFF,
    OPTIONAL,
    REQUIRED
  }

  private ClientCertificatesReader() {}

  static Optional<ClientCertificatesConfig> read(TomlSection l) throws ConfigException {
    Optional<Boolean> mtls = l.bool("mtls");
    Optional<Setting> clientCert = clientCert(l);
    Optional<Path> ca = l.path("client_ca");
    List<Path> crls = l.pathOrPaths("client_crl");
    Optional<Boolean> allowExpiredCrl = l.bool("allow_expired_crl");
    Optional<Setting> meantByMtls = mtls.map(on -> on ? Setting.REQUIRED : Setting.OFF);
    if (meantByMtls.isPresent() && clientCert.isPresent() && clientCert.get() != meantByMtls.get()) {
      throw l.sectionError("client_cert", "client_cert = " + quote(clientCert.get()) + " contradicts mtls = "
          + mtls.get() + ", which means client_cert = " + quote(meantByMtls.get())
          + "; remove mtls (client_cert replaces it)");
    }
    Setting setting = clientCert.or(() -> meantByMtls).orElse(Setting.OFF);
    if (setting == Setting.OFF) {
      Optional<String> needsCertificates = l.firstPresent(List.of("client_ca", "client_crl"));
      if (needsCertificates.isPresent()) {
        throw l.sectionError(needsCertificates.get(), needsCertificates.get() + " is set but " + whyOff(mtls, clientCert)
            + "; " + howToTurnOn(mtls, clientCert) + ", or remove " + needsCertificates.get());
      }
    } else if (ca.isEmpty()) {
      String why = clientCert.isPresent()
          ? "client_cert is " + quote(setting)
          : "mtls is true (client_cert = " + quote(Setting.REQUIRED) + ")";
      throw l.sectionError(clientCert.isPresent() ? "client_cert" : "mtls", why + " but client_ca is missing; set "
          + "client_ca to the CA file that client certificates must chain to");
    }
    if (allowExpiredCrl.isPresent() && crls.isEmpty()) {
      throw l.sectionError("allow_expired_crl", "allow_expired_crl is set but client_crl is missing; it only "
          + "relaxes the check of client_crl's revocation lists: set client_crl, or remove allow_expired_crl");
    }
    if (setting == Setting.OFF) {
      return Optional.empty();
    }
    Mode mode = setting == Setting.REQUIRED ? Mode.REQUIRED : Mode.OPTIONAL;
    return Optional.of(new ClientCertificatesConfig(mode, ca.get(), crls, allowExpiredCrl.orElse(false)));
  }

  private static Optional<Setting> clientCert(TomlSection l) throws ConfigException {
    Optional<String> text = l.string("client_cert");
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ConfigNames.exact(Setting.class, text.get()).orElseThrow(() -> l.error("client_cert",
        "expected \"off\", \"optional\" or \"required\", got " + TomlSection.describe(text.get()))));
  }

  /** Why client certificates are off, as the file says it. */
  private static String whyOff(Optional<Boolean> mtls, Optional<Setting> clientCert) {
    if (clientCert.isPresent()) {
      return "client_cert is " + quote(Setting.OFF);
    }
    return mtls.isPresent() ? "mtls is false" : "client certificates are off (client_cert is not set)";
  }

  private static String howToTurnOn(Optional<Boolean> mtls, Optional<Setting> clientCert) {
    if (mtls.isPresent() && clientCert.isEmpty()) {
      return "set mtls = true (client_cert = " + quote(Setting.REQUIRED) + ") to require client certificates";
    }
    return "set client_cert = " + quote(Setting.REQUIRED) + " or " + quote(Setting.OPTIONAL)
        + " to ask clients for certificates";
  }

  private static String quote(Setting setting) {
    return TomlSection.quote(ConfigNames.of(setting));
  }
}
