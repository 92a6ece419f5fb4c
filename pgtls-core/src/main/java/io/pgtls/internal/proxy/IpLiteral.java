package io.pgtls.internal.proxy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * IP addresses written as text, read strictly and never resolved: the PROXY v1 line and the
 * trusted-proxy and allowlist ranges both name addresses, and a host name in either must be an
 * error, not a DNS query.
 */
public final class IpLiteral {
  /** "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", the longest IPv6 text without a zone. */
  private static final int MAX_V6_TEXT = 45;

  private IpLiteral() {}

  /**
   * Reads an IPv4 dotted quad: exactly four decimal numbers 0–255 separated by single dots, with
   * no leading zeros (the PROXY spec forbids them "to avoid any possible confusion with octal
   * numbers", as {@code inet_aton} would read {@code 010} as 8).
   *
   * @return the four bytes, or null when the text is not such a quad
   */
  static byte[] v4Bytes(String text) {
    byte[] out = new byte[4];
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : '.';
      if (c >= '0' && c <= '9') {
        if (digits == 1 && value == 0) {
          return null; // a leading zero
        }
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) {
          return null;
        }
      } else if (c == '.' && digits > 0 && part < 4) {
        out[part++] = (byte) value;
        value = 0;
        digits = 0;
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  /**
   * Reads an IPv6 address in the text of RFC 4291 §2.2: hex groups and colons, one {@code ::} at
   * most, optionally ending in a dotted quad. The text is first checked to hold nothing else (no
   * zone {@code %eth0}, no brackets, no letters beyond a–f), so {@link InetAddress#getByName} only
   * ever parses a literal and never looks a name up.
   *
   * @return the sixteen bytes, or null when the text is not such an address
   */
  static byte[] v6Bytes(String text) {
    if (text.isEmpty() || text.length() > MAX_V6_TEXT || text.indexOf(':') < 0) {
      return null;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!(Character.digit(c, 16) >= 0 && c < 128 || c == ':' || c == '.')) {
        return null;
      }
    }
    int lastColon = text.lastIndexOf(':');
    if (text.indexOf('.') >= 0 && v4Bytes(text.substring(lastColon + 1)) == null) {
      return null; // dots only in a strict dotted quad after the last colon
    }
    InetAddress parsed;
    try {
      parsed = InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
    byte[] b = parsed.getAddress();
    if (parsed instanceof Inet4Address) {
      // Java turns ::ffff:a.b.c.d into an Inet4Address; give back the sixteen bytes written.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xFF;
      mapped[11] = (byte) 0xFF;
      System.arraycopy(b, 0, mapped, 12, 4);
      return mapped;
    }
    return b;
  }

  /**
   * The four bytes of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2),
   * or the address's own bytes otherwise: a dual-stack socket reports IPv4 peers this way, and
   * they must compare as the IPv4 addresses they are.
   */
  static byte[] unmapped(byte[] address) {
    if (address.length != 16) {
      return address;
    }
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return address;
      }
    }
    if (address[10] != (byte) 0xFF || address[11] != (byte) 0xFF) {
      return address;
    }
    byte[] v4 = new byte[4];
    System.arraycopy(address, 12, v4, 0, 4);
    return v4;
  }

  /**
   * The canonical text of an address: a dotted quad for four bytes; for sixteen, RFC 5952 — lower
   * case, no leading zeros, the longest run of two or more zero groups (the first of equals) as
   * {@code ::}, and an IPv4-mapped address as {@code ::ffff:a.b.c.d} (§5).
   */
  public static String format(byte[] address) {
    if (address.length == 4) {
      return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
    }
    byte[] v4 = unmapped(address);
    if (v4 != address) {
      return "::ffff:" + format(v4);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (address[2 * i] & 0xFF) << 8 | (address[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLength - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  /** {@code 192.0.2.1:5432} or {@code [2001:db8::1]:5432}, the address in its {@link #format canonical text}. */
  static String format(InetSocketAddress address) {
    byte[] b = address.getAddress().getAddress();
    return (b.length == 16 ? "[" + format(b) + "]" : format(b)) + ":" + address.getPort();
  }
}
