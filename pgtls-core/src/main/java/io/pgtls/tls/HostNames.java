package io.pgtls.tls;

import java.util.Optional;
import javax.net.ssl.SNIHostName;

/** Host name handling for the proxy's connections to backends. */
final class HostNames {

  private HostNames() {
  }

  /** Drops IPv6 brackets ({@code [::1]}) and a fully-qualified trailing dot ({@code db.example.com.}). */
  static String normalize(String host) {
    String h = host.strip();
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".") && h.length() > 1) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }

  /** An IPv4 dotted quad or an IPv6 literal, decided without any DNS lookup. */
  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // only IPv6 literals contain a colon; host names cannot
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * The SNI name to send for {@code host}, or empty for IP literals (RFC 6066 forbids them)
   * and for names the JDK cannot put into SNI.
   *
   * <p>JDK quirk: {@link SNIHostName} applies strict IDN (STD3) rules and throws
   * IllegalArgumentException for a trailing dot and for names such as {@code pg_primary}
   * (underscores are common in container networks); such names get no SNI rather than a
   * failed connection.
   */
  static Optional<SNIHostName> sniFor(String normalizedHost) {
    if (normalizedHost.isEmpty() || isIpLiteral(normalizedHost)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SNIHostName(normalizedHost));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
