package io.pgtls.launcher.config;

import io.pgtls.HostPort;
import java.util.Objects;

/** The {@code [admin]} table: where the HTTP endpoint for metrics and probes listens. */
public record AdminConfig(HostPort bindAddress) {
  public AdminConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
  }

  @Override
  public String toString() {
    return "admin{" + bindAddress + "}";
  }
}
