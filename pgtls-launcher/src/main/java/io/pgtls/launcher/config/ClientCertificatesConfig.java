package io.pgtls.launcher.config;

import io.pgtls.ClientCertificates.Mode;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The client-certificate policy of a {@code [proxy.listener]} table that asks clients for
 * certificates ({@code client_cert = "required"} or {@code "optional"}, or {@code mtls = true}).
 *
 * @param mode whether a client without a certificate may go on past its StartupMessage
 * @param ca {@code client_ca}: the CA file client certificates must chain to
 * @param crls {@code client_crl}: revocation list files checked on every client handshake; empty for none
 * @param allowExpiredCrl {@code allow_expired_crl}: accept a CRL past its nextUpdate instead of
 *     refusing the certificates of its issuer
 */
public record ClientCertificatesConfig(Mode mode, Path ca, List<Path> crls, boolean allowExpiredCrl) {
  public ClientCertificatesConfig {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(ca, "ca");
    crls = List.copyOf(crls);
  }

  @Override
  public String toString() {
    return "client_cert=" + ConfigNames.of(mode) + " client_ca=" + ca + (crls.isEmpty() ? "" : " client_crl=" + crls)
        + (allowExpiredCrl ? " allow_expired_crl" : "");
  }
}
