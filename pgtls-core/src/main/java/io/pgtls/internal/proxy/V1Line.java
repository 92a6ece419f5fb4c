package io.pgtls.internal.proxy;

import io.pgtls.internal.proxy.ProxyHeader.Family;
import io.pgtls.internal.proxy.ProxyHeader.Info;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The text header of PROXY protocol version 1 (spec §2.1), {@code PROXY TCP4|TCP6|UNKNOWN src dst
 * sport dport\r\n}, read exactly as written: "Any sequence which does not exactly match the
 * protocol must be discarded".
 */
final class V1Line {
  static final byte[] PREFIX_BYTES = "PROXY ".getBytes(StandardCharsets.US_ASCII);
  /**
   * Spec §2.1: the longest line, CRLF included, is "PROXY UNKNOWN ffff:…:ffff ffff:…:ffff 65535
   * 65535\r\n", 107 bytes; "If the CRLF sequence is not found in the first 107 characters, the
   * receiver should declare the line invalid."
   */
  static final int MAX_LINE = 107;

  private static final String[] FIELDS = {"source address", "destination address", "source port", "destination port"};

  private V1Line() {}

  static Parse peek(ByteBuffer buf, int start, int available) throws MalformedHeader {
    int window = Math.min(available, MAX_LINE);
    for (int i = 0; i < Math.min(window, PREFIX_BYTES.length); i++) {
      if (buf.get(start + i) != PREFIX_BYTES[i]) {
        throw new MalformedHeader(i == PREFIX_BYTES.length - 1
            ? "v1 'PROXY' must be followed by a single space"
            : ForeignBytes.describe(buf, start, available));
      }
    }
    if (window < PREFIX_BYTES.length) {
      return Parse.needMore();
    }
    // Spec §2.1: "The receiver must not tolerate a single CR or LF character to end the line".
    int contentEnd = window;
    boolean complete = false;
    for (int i = PREFIX_BYTES.length; i < window; i++) {
      byte b = buf.get(start + i);
      if (b == '\n') {
        throw new MalformedHeader("v1 lone LF at byte " + i + " (the line must end in CRLF)");
      }
      if (b == '\r') {
        contentEnd = i;
        if (i + 1 < window) {
          if (buf.get(start + i + 1) != '\n') {
            throw new MalformedHeader("v1 lone CR at byte " + i + " (the line must end in CRLF)");
          }
          complete = true;
        }
        break;
      }
    }
    if (!complete && window == MAX_LINE) {
      throw new MalformedHeader("v1 line longer than " + MAX_LINE + " bytes without CRLF");
    }
    byte[] content = new byte[contentEnd - PREFIX_BYTES.length];
    for (int i = 0; i < content.length; i++) {
      content[i] = buf.get(start + PREFIX_BYTES.length + i);
    }
    Info info = afterPrefix(new String(content, StandardCharsets.ISO_8859_1), complete);
    return info == null ? Parse.needMore() : Parse.header(contentEnd + 2, info);
  }

  /** Reads what follows "PROXY "; null when the line is still arriving and fine so far. */
  private static Info afterPrefix(String rest, boolean complete) throws MalformedHeader {
    if (rest.startsWith("UNKNOWN")) {
      if (rest.length() > 7 && rest.charAt(7) != ' ') {
        throw new MalformedHeader("v1 unknown protocol '" + LogText.token(firstWord(rest)) + "'");
      }
      // Spec §2.1: with UNKNOWN "the receiver must ignore anything presented before the CRLF"
      // and use the real connection's endpoints.
      return complete ? Info.v1(Family.UNKNOWN_V1, null, null) : null;
    }
    Family family;
    if (rest.startsWith("TCP4 ")) {
      family = Family.TCP4;
    } else if (rest.startsWith("TCP6 ")) {
      family = Family.TCP6;
    } else if (!complete && ("TCP4 ".startsWith(rest) || "TCP6 ".startsWith(rest) || "UNKNOWN".startsWith(rest))) {
      return null;
    } else {
      throw new MalformedHeader("v1 unknown protocol '" + LogText.token(firstWord(rest))
          + "' (expected TCP4, TCP6 or UNKNOWN)");
    }
    String[] fields = rest.substring(5).split(" ", -1);
    for (int k = 0; k < fields.length - 1; k++) {
      if (fields[k].isEmpty()) {
        throw new MalformedHeader("v1 fields must be separated by exactly one space");
      }
    }
    if (fields.length > FIELDS.length) {
      throw new MalformedHeader("v1 " + family + " line with more than 4 fields after the protocol");
    }
    if (complete && fields[fields.length - 1].isEmpty()) {
      throw new MalformedHeader("v1 " + family + " line without its " + FIELDS[fields.length - 1]);
    }
    for (int k = 0; k < fields.length; k++) {
      if (!plausible(fields[k], k, family)) {
        throw bad(k, fields[k], family);
      }
    }
    if (!complete) {
      return null;
    }
    if (fields.length < FIELDS.length) {
      throw new MalformedHeader("v1 " + family + " line without its " + FIELDS[fields.length]);
    }
    InetAddress source = address(fields[0], 0, family);
    InetAddress destination = address(fields[1], 1, family);
    int sourcePort = port(fields[2], 2, family);
    int destinationPort = port(fields[3], 3, family);
    return Info.v1(family, new InetSocketAddress(source, sourcePort), new InetSocketAddress(destination, destinationPort));
  }

  /** Whether every character can appear in the field, so that garbage is refused before the CRLF. */
  private static boolean plausible(String field, int k, Family family) {
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      boolean ok;
      if (k >= 2) {
        ok = c >= '0' && c <= '9';
      } else if (family == Family.TCP4) {
        ok = c >= '0' && c <= '9' || c == '.';
      } else {
        ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.';
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Spec §2.1: "The advertised protocol family dictates what format to use": TCP4 carries dotted
   * quads, TCP6 IPv6 text. A TCP6 address may end in a dotted quad ({@code ::ffff:192.0.2.1}),
   * which is how {@code inet_ntop}, and so HAProxy, writes an IPv4 client on an IPv6 listener.
   */
  private static InetAddress address(String text, int k, Family family) throws MalformedHeader {
    byte[] bytes = family == Family.TCP4 ? IpLiteral.v4Bytes(text) : IpLiteral.v6Bytes(text);
    if (bytes == null) {
      throw bad(k, text, family);
    }
    try {
      return InetAddress.getByAddress(bytes); // from bytes: never a lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }

  /** Spec §2.1: a decimal port 0–65535; "Heading zeroes are not permitted". */
  private static int port(String text, int k, Family family) throws MalformedHeader {
    if (text.length() > 5 || text.length() > 1 && text.charAt(0) == '0') {
      throw bad(k, text, family);
    }
    int port = Integer.parseInt(text); // plausible() let only digits through
    if (port > 65535) {
      throw bad(k, text, family);
    }
    return port;
  }

  private static MalformedHeader bad(int k, String text, Family family) {
    String expected = k >= 2
        ? "a port 0-65535 without leading zeros"
        : family == Family.TCP4 ? "an IPv4 dotted quad without leading zeros" : "an IPv6 address";
    return new MalformedHeader("v1 bad " + FIELDS[k] + " '" + LogText.token(text) + "' (" + family + " needs "
        + expected + ")");
  }

  private static String firstWord(String rest) {
    int space = rest.indexOf(' ');
    return space < 0 ? rest : rest.substring(0, space);
  }
}
