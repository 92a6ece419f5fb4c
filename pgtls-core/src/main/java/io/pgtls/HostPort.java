package io.pgtls;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * A host (name, IPv4 literal or IPv6 literal) and a port, as written in configuration:
 * {@code db.example.com:5432}, {@code 127.0.0.1:6432}, {@code [::1]:6432}. Host names are kept
 * unresolved: resolution happens off the selector loops, per connection.
 */
public final class HostPort {
  private final String host;
  private final int port;

  private HostPort(String host, int port) {
    this.host = host;
    this.port = port;
  }

  public static HostPort of(String host, int port) {
    Objects.requireNonNull(host, "host");
    if (host.isEmpty()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
    return new HostPort(stripBrackets(host), port);
  }

  /**
   * Parses {@code host:port}; IPv6 literals must be bracketed ({@code [::1]:5432}), since a bare
   * {@code ::1:5432} is ambiguous.
   */
  public static HostPort parse(String text) {
    Objects.requireNonNull(text, "address");
    String s = text.trim();
    int colon;
    String host;
    if (s.startsWith("[")) {
      int close = s.indexOf(']');
      if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("'" + text + "' is not host:port (IPv6 is written [::1]:5432)");
      }
      host = s.substring(1, close);
      colon = close + 1;
    } else {
      colon = s.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("'" + text + "' is not host:port (e.g. 127.0.0.1:6432)");
      }
      host = s.substring(0, colon);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException("'" + text + "' is ambiguous: write IPv6 addresses as [::1]:5432");
      }
    }
    String portText = s.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no valid port: '" + portText + "'");
    }
    return of(host, port);
  }

  private static String stripBrackets(String host) {
    if (host.startsWith("[") && host.endsWith("]")) {
      return host.substring(1, host.length() - 1);
    }
    return host;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** True when the host is an IPv4 or IPv6 literal, which needs no DNS and gets no SNI. */
  public boolean isIpLiteral() {
    return isIpLiteral(host);
  }

  static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // only IPv6 literals contain a colon once brackets are stripped
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** An unresolved socket address; for IP literals it does not touch DNS. */
  public InetSocketAddress toUnresolved() {
    return InetSocketAddress.createUnresolved(host, port);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostPort && ((HostPort) o).host.equalsIgnoreCase(host) && ((HostPort) o).port == port;
  }

  @Override
  public int hashCode() {
    return host.toLowerCase(Locale.ROOT).hashCode() * 31 + port;
  }

  @Override
  public String toString() {
    return join(host, port);
  }

  /**
   * A socket address as pgtls writes it in logs: {@code 127.0.0.1:6432}, {@code [::1]:6432}, the
   * numeric address when it is resolved (no reverse lookup), {@code null} for none.
   */
  public static String format(SocketAddress address) {
    if (!(address instanceof InetSocketAddress)) {
      return String.valueOf(address);
    }
    InetSocketAddress a = (InetSocketAddress) address;
    return join(a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress(), a.getPort());
  }

  private static String join(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
