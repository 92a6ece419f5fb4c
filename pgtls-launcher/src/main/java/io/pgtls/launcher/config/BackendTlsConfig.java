package io.pgtls.launcher.config;

import io.pgtls.BackendTls.Verification;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS toward the backend ({@code tls_enabled = true}, the default).
 *
 * @param rootCa the CA file to trust; when empty the JDK's default trust store is used
 * @param serverName the SNI and verification name when it differs from the address's host
 * @param directTls open the leg with PostgreSQL 17's direct TLS instead of an SSLRequest
 */
public record BackendTlsConfig(
    Optional<Path> rootCa,
    Optional<ClientCertificate> clientCertificate,
    Optional<String> serverName,
    Verification verification,
    boolean directTls) {

  /** A certificate and its key, presented to the backend; the loader only accepts both together. */
  public record ClientCertificate(Path certificate, Path key) {
    public ClientCertificate {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
      return "client_cert=" + certificate + " client_key=" + key;
    }
  }

  public BackendTlsConfig {
    Objects.requireNonNull(rootCa, "rootCa");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    Objects.requireNonNull(serverName, "serverName");
    Objects.requireNonNull(verification, "verification");
  }

  /** The configuration name of a verification mode: {@code verify-full} or {@code verify-ca}. */
  public static String configName(Verification verification) {
    return verification.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public String toString() {
    return "tls " + configName(verification) + " root_ca=" + rootCa.map(Path::toString).orElse("jdk-default")
        + clientCertificate.map(c -> " " + c).orElse("")
        + serverName.map(n -> " server_name=" + n).orElse("") + (directTls ? " direct_tls" : "");
  }
}
