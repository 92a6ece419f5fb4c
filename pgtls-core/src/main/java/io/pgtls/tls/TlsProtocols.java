package io.pgtls.tls;

import java.util.List;
import java.util.Set;

/** Validates the TLS protocol versions a listener or backend connection may use. */
final class TlsProtocols {

  static final List<String> DEFAULT = List.of("TLSv1.3", "TLSv1.2");

  private static final Set<String> ALLOWED = Set.of("TLSv1.3", "TLSv1.2");
  private static final Set<String> TOO_OLD = Set.of("TLSv1.1", "TLSv1", "TLSv1.0", "SSLv3", "SSLv2", "SSLv2Hello");

  private TlsProtocols() {
  }

  /** The protocols to enable: {@code requested}, or TLSv1.3 and TLSv1.2 when null or empty. */
  static String[] resolve(List<String> requested) {
    if (requested == null || requested.isEmpty()) {
      return DEFAULT.toArray(String[]::new);
    }
    for (String protocol : requested) {
      if (TOO_OLD.contains(protocol)) {
        throw new IllegalArgumentException("TLS protocol " + protocol
            + " is older than TLSv1.2 and not allowed; use TLSv1.3 and/or TLSv1.2");
      }
      if (!ALLOWED.contains(protocol)) {
        throw new IllegalArgumentException("unknown TLS protocol \"" + protocol
            + "\"; use TLSv1.3 and/or TLSv1.2");
      }
    }
    return requested.stream().distinct().toArray(String[]::new);
  }
}
