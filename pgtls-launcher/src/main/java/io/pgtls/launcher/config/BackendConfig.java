package io.pgtls.launcher.config;

import io.pgtls.HostPort;
import io.pgtls.ProxyProtocol;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code [proxy.backend]} table. {@link #tls()} is empty for {@code tls_enabled = false}
 * (plaintext to the backend), so TLS settings cannot exist on a plaintext backend.
 */
public record BackendConfig(HostPort address, Optional<BackendTlsConfig> tls, Optional<Duration> connectTimeout,
    Optional<ProxyProtocol.Versions> sendProxy) {
  /** A backend without an outbound PROXY protocol header. */
  public BackendConfig(HostPort address, Optional<BackendTlsConfig> tls, Optional<Duration> connectTimeout) {
    this(address, tls, connectTimeout, Optional.empty());
  }

  public BackendConfig {
    Objects.requireNonNull(sendProxy, "sendProxy");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
  }

  public boolean tlsEnabled() {
    return tls.isPresent();
  }

  @Override
  public String toString() {
    return "backend{" + address + " " + tls.map(BackendTlsConfig::toString).orElse("plaintext")
        + connectTimeout.map(d -> " connect_timeout=" + Durations.format(d)).orElse("")
        + sendProxy.map(v -> " send_proxy=" + v).orElse("") + "}";
  }
}
