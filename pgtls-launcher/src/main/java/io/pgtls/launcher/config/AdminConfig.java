package io.pgtls.launcher.config;

import io.pgtls.HostPort;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [admin]} table: where the HTTP endpoint for metrics and probes listens.
 *
 * @param reloadTokenFile a file holding the token {@code POST /reload} must present as {@code
 *     Authorization: Bearer <token>}; read once at start. Absent: only an endpoint bound to a
 *     loopback address accepts {@code POST /reload}, without a token.
 */
public record AdminConfig(HostPort bindAddress, Optional<Path> reloadTokenFile) {
  public AdminConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(reloadTokenFile, "reloadTokenFile");
  }

  /** Without a reload token. */
  public AdminConfig(HostPort bindAddress) {
    this(bindAddress, Optional.empty());
  }

  @Override
  public String toString() {
    return "admin{" + bindAddress + reloadTokenFile.map(f -> ", reload_token_file=" + f).orElse("") + "}";
  }
}
