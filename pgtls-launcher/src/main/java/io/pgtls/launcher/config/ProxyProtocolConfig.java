package io.pgtls.launcher.config;

import io.pgtls.ProxyProtocol.Untrusted;
import io.pgtls.ProxyProtocol.Versions;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code [proxy.listener.proxy_protocol]} table: the listener sits behind TCP load balancers that
 * send a PROXY protocol header first on every connection.
 *
 * @param trusted {@code trusted}: the addresses (CIDRs or single addresses) of the load balancers
 *     whose headers are believed; never empty. Their syntax is checked by the core's {@code build()}
 * @param versions {@code versions}: which header versions are read
 * @param untrusted {@code untrusted}: what becomes of a connection from any other peer
 * @param maxV2Length {@code max_v2_length}: the largest v2 header accepted, in bytes after its 16
 *     fixed ones
 */
public record ProxyProtocolConfig(List<String> trusted, Versions versions, Untrusted untrusted, int maxV2Length) {
  public ProxyProtocolConfig {
    trusted = List.copyOf(trusted);
    Objects.requireNonNull(versions, "versions");
    Objects.requireNonNull(untrusted, "untrusted");
  }

  /** The configuration name of a versions setting: {@code v1}, {@code v2} or {@code v1v2}. */
  public static String configName(Versions versions) {
    return switch (versions) {
      case V1 -> "v1";
      case V2 -> "v2";
      case V1_AND_V2 -> "v1v2";
    };
  }

  /** The versions setting named exactly {@code text}; empty when none is. */
  static Optional<Versions> versions(String text) {
    for (Versions v : Versions.values()) {
      if (configName(v).equals(text)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "proxy_protocol{trusted=" + trusted + " versions=" + configName(versions) + " untrusted="
        + ConfigNames.of(untrusted) + " max_v2_length=" + maxV2Length + "}";
  }
}
