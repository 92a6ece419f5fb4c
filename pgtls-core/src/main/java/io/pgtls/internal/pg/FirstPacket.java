package io.pgtls.internal.pg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Classifies the untyped packet at the start of a buffer. Pure function over bytes, no I/O: the
 * connection calls it as bytes arrive, and the fuzz tests call it with anything.
 */
public final class FirstPacket {
  /** What the buffer starts with. */
  public enum Kind {
    /** Not enough bytes yet to tell (or the whole packet has not arrived). */
    INCOMPLETE,
    /** A TLS ClientHello: a PG17+ client using direct SSL. */
    DIRECT_TLS,
    SSL_REQUEST,
    GSSENC_REQUEST,
    CANCEL_REQUEST,
    /** A StartupMessage of protocol major version 3. */
    STARTUP_MESSAGE,
    /** A StartupMessage of another major version (2.0, 4.0, ...). */
    UNSUPPORTED_PROTOCOL,
    /** A length field outside 8..10004, or a special request of the wrong length. */
    INVALID_LENGTH
  }

  private final Kind kind;
  private final int length;
  private final int code;

  private FirstPacket(Kind kind, int length, int code) {
    this.kind = kind;
    this.length = length;
    this.code = code;
  }

  /**
   * Looks at {@code buf} in read mode from its position without consuming it. SSLRequest and
   * GSSENCRequest are recognised as soon as their 8 bytes are there; other kinds need the whole
   * packet ({@link #length()} bytes) before they are reported, except an invalid length, which is
   * reported at once.
   */
  public static FirstPacket peek(ByteBuffer buf) {
    int p = buf.position();
    int available = buf.remaining();
    if (available >= 1 && buf.get(p) == StartupCodes.TLS_HANDSHAKE_RECORD) {
      return new FirstPacket(Kind.DIRECT_TLS, 0, 0);
    }
    if (available < 4) {
      return new FirstPacket(Kind.INCOMPLETE, 0, 0);
    }
    int length = buf.getInt(p);
    if (length < StartupCodes.MIN_STARTUP_PACKET_LENGTH || length > StartupCodes.MAX_STARTUP_PACKET_LENGTH) {
      return new FirstPacket(Kind.INVALID_LENGTH, length, 0);
    }
    if (available < 8) {
      return new FirstPacket(Kind.INCOMPLETE, length, 0);
    }
    int code = buf.getInt(p + 4);
    switch (code) {
      case StartupCodes.SSL_REQUEST:
        return new FirstPacket(length == 8 ? Kind.SSL_REQUEST : Kind.INVALID_LENGTH, length, code);
      case StartupCodes.GSSENC_REQUEST:
        return new FirstPacket(length == 8 ? Kind.GSSENC_REQUEST : Kind.INVALID_LENGTH, length, code);
      case StartupCodes.CANCEL_REQUEST:
        // 3.0: exactly 16 (4-byte key). 3.2 (PostgreSQL 18): 12 + 1..256 key bytes.
        if (length < 13 || length > 12 + 256) {
          return new FirstPacket(Kind.INVALID_LENGTH, length, code);
        }
        return new FirstPacket(available >= length ? Kind.CANCEL_REQUEST : Kind.INCOMPLETE, length, code);
      default:
        Kind complete = (code >>> 16) == 3 ? Kind.STARTUP_MESSAGE : Kind.UNSUPPORTED_PROTOCOL;
        return new FirstPacket(available >= length ? complete : Kind.INCOMPLETE, length, code);
    }
  }

  public Kind kind() {
    return kind;
  }

  /** The packet's length field (the whole packet, length word included); 0 when unknown. */
  public int length() {
    return length;
  }

  /** The code or protocol version field. */
  public int code() {
    return code;
  }

  public int majorVersion() {
    return code >>> 16;
  }

  public int minorVersion() {
    return code & 0xFFFF;
  }

  /**
   * The name/value pairs of a complete StartupMessage at the buffer's position, for logs (user,
   * database, application_name). Malformed tails are ignored: the backend judges the packet.
   */
  public static Map<String, String> startupParameters(ByteBuffer buf, int length) {
    Map<String, String> params = new LinkedHashMap<>();
    int p = buf.position() + 8;
    int end = buf.position() + length;
    while (p < end) {
      int nameEnd = indexOfNul(buf, p, end);
      if (nameEnd < 0 || nameEnd == p) {
        break;
      }
      int valueEnd = indexOfNul(buf, nameEnd + 1, end);
      if (valueEnd < 0) {
        break;
      }
      params.put(string(buf, p, nameEnd), string(buf, nameEnd + 1, valueEnd));
      p = valueEnd + 1;
    }
    return params;
  }

  private static int indexOfNul(ByteBuffer buf, int from, int end) {
    for (int i = from; i < end; i++) {
      if (buf.get(i) == 0) {
        return i;
      }
    }
    return -1;
  }

  private static String string(ByteBuffer buf, int from, int to) {
    byte[] b = new byte[to - from];
    for (int i = 0; i < b.length; i++) {
      b[i] = buf.get(from + i);
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return kind + "(length=" + length + ", code=" + code + ")";
  }
}
