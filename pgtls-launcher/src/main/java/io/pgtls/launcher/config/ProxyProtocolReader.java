package io.pgtls.launcher.config;

import io.pgtls.ProxyProtocol;
import io.pgtls.ProxyProtocol.Untrusted;
import io.pgtls.ProxyProtocol.Versions;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the {@code proxy_protocol} table of a {@code [proxy.listener]} table into a {@link
 * ProxyProtocolConfig}, rejecting unknown keys, a table without {@code trusted} and an empty
 * {@code trusted}: a header believed from anyone would let every client name any address it likes.
 * The CIDRs themselves are checked by the core's {@code build()}, which {@link PgTlsConfig#describe}
 * places at the {@code trusted} line.
 */
final class ProxyProtocolReader {
  private static final Set<String> KEYS = Set.of("trusted", "versions", "untrusted", "max_v2_length");
  /** The core's bounds on the v2 length field: an address block at least, and what 16 bits hold. */
  private static final int MIN_V2_LENGTH = 12;
  private static final int MAX_V2_LENGTH = 65_535;

  private ProxyProtocolReader() {}

  /** The listener's {@code proxy_protocol} table; empty when {@code listener} has none. */
  static Optional<ProxyProtocolConfig> read(TomlSection listener) throws ConfigException {
    if (!listener.has("proxy_protocol")) {
      return Optional.empty();
    }
    TomlSection p = listener.requiredTable("proxy_protocol");
    p.allowOnly(KEYS);
    if (!p.has("trusted")) {
      throw listener.error("proxy_protocol", "trusted is missing; name the load balancers whose PROXY protocol "
          + "headers are believed, such as trusted = [\"10.0.0.2/32\"]");
    }
    List<String> trusted = p.strings("trusted");
    if (trusted.isEmpty()) {
      throw p.error("trusted", "the list is empty; name the load balancers whose PROXY protocol headers are "
          + "believed, such as [\"10.0.0.2/32\"], or remove proxy_protocol");
    }
    int maxV2Length = p.integer("max_v2_length", MIN_V2_LENGTH, MAX_V2_LENGTH)
        .orElse(ProxyProtocol.DEFAULT_MAX_V2_LENGTH);
    return Optional.of(new ProxyProtocolConfig(trusted, versions(p), untrusted(p), maxV2Length));
  }

  private static Versions versions(TomlSection p) throws ConfigException {
    Optional<String> text = p.string("versions");
    if (text.isEmpty()) {
      return Versions.V1_AND_V2;
    }
    return ProxyProtocolConfig.versions(text.get()).orElseThrow(() -> p.error("versions",
        "expected \"v1\", \"v2\" or \"v1v2\", got " + TomlSection.describe(text.get())));
  }

  private static Untrusted untrusted(TomlSection p) throws ConfigException {
    Optional<String> text = p.string("untrusted");
    if (text.isEmpty()) {
      return Untrusted.REFUSE;
    }
    return ConfigNames.exact(Untrusted.class, text.get()).orElseThrow(() -> p.error("untrusted",
        "expected \"refuse\" or \"direct\", got " + TomlSection.describe(text.get())));
  }
}
