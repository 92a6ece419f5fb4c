package io.pgtls.internal.proxy;

import java.nio.ByteBuffer;

/**
 * Renders bytes and strings that came off the wire for one log line: whatever a peer sends, the
 * result is printable ASCII without spaces, so it can neither break the line nor pose as another
 * field.
 */
final class LogText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogText() {}

  /**
   * The string with every character outside printable ASCII (and space and backslash) written as
   * {@code \}{@code uXXXX}.
   */
  static String token(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > ' ' && c < 0x7F && c != '\\') {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.toString();
  }

  /** The bytes as ASCII when all are printable and not spaces, else as lower-case hex. */
  static String printableOrHex(byte[] bytes) {
    for (byte b : bytes) {
      if (b <= ' ' || b >= 0x7F) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
          sb.append(HEX[(x >> 4) & 0xF]).append(HEX[x & 0xF]);
        }
        return sb.toString();
      }
    }
    return new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Up to {@code max} bytes from {@code start} as spaced hex, {@code 16 03 01 …} when more follow. */
  static String hexBytes(ByteBuffer buf, int start, int available, int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(available, max); i++) {
      int b = buf.get(start + i) & 0xFF;
      sb.append(i == 0 ? "" : " ").append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }
    return available > max ? sb + " …" : sb.toString();
  }
}
