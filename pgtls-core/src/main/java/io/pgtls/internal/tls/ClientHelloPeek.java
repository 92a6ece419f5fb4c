package io.pgtls.internal.tls;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads the TLS ClientHello at the start of a buffer without consuming it, so that a listener can
 * choose a route (and with it the SSLContext, certificate and client-CA policy) by the client's
 * server name before it creates the server SSLEngine, and then feed the very same bytes to that
 * engine. Pure function over bytes, no I/O: the connection calls it as bytes arrive, and the fuzz
 * tests call it with anything.
 *
 * <p>The ClientHello is reassembled across TLS records and across however many bytes have arrived;
 * only {@code server_name}, ALPN and {@code supported_versions} are read (see {@link
 * ClientHelloFields}). Every verdict is taken on the bytes in order, so a prefix of some input
 * yields either {@link Verdict#NEED_MORE} or the same verdict as the whole input.
 */
public final class ClientHelloPeek {
  /** What the buffer starts with. */
  public enum Verdict {
    /** Not enough bytes yet for a whole ClientHello or a verdict on it. */
    NEED_MORE,
    /** A whole, well-formed ClientHello; its fields are in the result. */
    HELLO,
    /** Not a ClientHello pgtls will hand to an engine; {@link Result#reason()} says why. */
    REJECT
  }

  /** Why a buffer was rejected. */
  public enum Reason {
    /** The first record is not a handshake record: plaintext, an alert, an HTTP request, ... */
    NOT_HANDSHAKE,
    /** The first handshake message is not a ClientHello. */
    NOT_CLIENT_HELLO,
    /** A handshake record of length 0 (RFC 8446 §5.1 forbids them), refused so none is skipped. */
    ZERO_LENGTH_RECORD,
    /** A record longer than a plaintext record may be (2^14 bytes, RFC 8446 §5.1). */
    RECORD_TOO_LARGE,
    /** A ClientHello message longer than {@link #MAX_CLIENT_HELLO} bytes. */
    TOO_LARGE,
    /** Lengths that do not add up, a foreign record inside the hello, an SSLv2-style hello, ... */
    MALFORMED
  }

  /** RFC 8446 §5.1 ContentType.handshake. */
  static final int HANDSHAKE_RECORD = 22;
  /** RFC 8446 §4 HandshakeType.client_hello. */
  static final int CLIENT_HELLO = 1;
  /** ContentType (1), legacy_record_version (2), length (2): RFC 8446 §5.1. */
  static final int RECORD_HEADER = 5;
  /** msg_type (1), length (3): RFC 8446 §4. */
  static final int HANDSHAKE_HEADER = 4;
  /**
   * The largest record accepted. A ClientHello always travels in TLSPlaintext records, whose length
   * "MUST NOT exceed 2^14 bytes" (RFC 8446 §5.1, RFC 5246 §6.2.1). The larger bounds, 2^14 + 256
   * (RFC 8446 §5.2) and 2^14 + 2048 (RFC 5246 §6.2.3), are for encrypted records, which cannot
   * come before the ClientHello is complete.
   */
  public static final int MAX_RECORD = 1 << 14;
  /**
   * The largest ClientHello message accepted, its 4-byte handshake header included. Real ones are
   * under 2 KB even with hybrid post-quantum key shares; Netty's SslClientHelloHandler uses the
   * same cap.
   */
  public static final int MAX_CLIENT_HELLO = 1 << 16;

  private ClientHelloPeek() {}

  /**
   * Looks at {@code bytes} in read mode from its position up to its limit, and changes neither.
   * Never throws on any content; every loop advances by at least one byte of the buffer.
   */
  public static Result peek(ByteBuffer bytes) {
    int start = bytes.position();
    int limit = bytes.limit();
    if (limit - start < 1) {
      return Result.NEED_MORE;
    }
    int first = u8(bytes, start);
    if (first != HANDSHAKE_RECORD) {
      return notHandshake(bytes, start, limit, first);
    }
    int p = start;
    int headerSeen = 0;
    int header = 0;
    int messageLength = -1;
    int handshakeBytes = 0;
    int records = 0;
    while (true) {
      if (limit - p < RECORD_HEADER) {
        return Result.NEED_MORE;
      }
      int type = u8(bytes, p);
      if (type != HANDSHAKE_RECORD) {
        // RFC 8446 §5.1: handshake messages "MUST NOT be interleaved with other record types".
        return Result.reject(Reason.MALFORMED, "a record of content type " + type + " interrupts the ClientHello");
      }
      if (u8(bytes, p + 1) != 3) {
        // RFC 8446 §5.1 legacy_record_version: 0x0301 (0x0300-0x0303 from older stacks).
        return Result.reject(Reason.MALFORMED, "record version " + hex(u16(bytes, p + 1)) + " is not 3.x");
      }
      int length = u16(bytes, p + 3);
      if (length == 0) {
        // RFC 8446 §5.1 forbids zero-length handshake fragments. Some stacks skip them and then
        // process a hello behind them, which would bypass this peek: fail closed (as Netty does).
        return Result.reject(Reason.ZERO_LENGTH_RECORD, "a handshake record of length 0");
      }
      if (length > MAX_RECORD) {
        return Result.reject(Reason.RECORD_TOO_LARGE, "a record of " + length + " bytes (at most " + MAX_RECORD + ")");
      }
      int fragment = p + RECORD_HEADER;
      int arrived = Math.min(length, limit - fragment);
      // RFC 8446 §5.1: one handshake message may span records, so its 4-byte header may too.
      for (int i = 0; headerSeen < HANDSHAKE_HEADER && i < arrived; i++) {
        header = (header << 8) | u8(bytes, fragment + i);
        headerSeen++;
        if (headerSeen == 1 && header != CLIENT_HELLO) {
          return Result.reject(Reason.NOT_CLIENT_HELLO, "handshake message type " + header + " is not client_hello (1)");
        }
      }
      if (headerSeen == HANDSHAKE_HEADER && messageLength < 0) {
        int body = header & 0xFFFFFF;
        if (body > MAX_CLIENT_HELLO - HANDSHAKE_HEADER) {
          return Result.reject(Reason.TOO_LARGE, "a ClientHello of " + (HANDSHAKE_HEADER + body) + " bytes (at most "
              + MAX_CLIENT_HELLO + ")");
        }
        messageLength = HANDSHAKE_HEADER + body;
      }
      if (messageLength >= 0 && handshakeBytes + length > messageLength) {
        // The client sends nothing else in a handshake record before the ServerHello arrives
        // (RFC 8446 §2), so bytes past the ClientHello would be a second, unexamined message.
        return Result.reject(Reason.MALFORMED, "a handshake record carries bytes past the end of the ClientHello");
      }
      if (arrived < length) {
        return Result.NEED_MORE;
      }
      handshakeBytes += length;
      p = fragment + length;
      records++;
      if (handshakeBytes == messageLength) {
        return fields(bytes, start, p, records, messageLength);
      }
    }
  }

  /**
   * The verdict on a buffer whose first byte is not a handshake record. An SSLv2-compatible
   * CLIENT-HELLO (RFC 5246 Appendix E.2: a 2-byte length with the high bit set, then msg_type 1)
   * is told apart from other non-TLS bytes, because it is a hello that pgtls will not route.
   */
  private static Result notHandshake(ByteBuffer bytes, int start, int limit, int first) {
    if ((first & 0x80) != 0) {
      if (limit - start < 3) {
        return Result.NEED_MORE;
      }
      if (u8(bytes, start + 2) == CLIENT_HELLO) {
        return Result.reject(Reason.MALFORMED, "an SSLv2-style ClientHello");
      }
    }
    return Result.reject(Reason.NOT_HANDSHAKE, "the first record has content type " + first + ", not handshake (22)");
  }

  /**
   * Parses the complete ClientHello that spans {@code records} records from {@code start} to
   * {@code end}. A hello in one record (the common case) is read in place; a fragmented one is
   * first copied into one array, at most {@link #MAX_CLIENT_HELLO} bytes.
   */
  private static Result fields(ByteBuffer bytes, int start, int end, int records, int messageLength) {
    int span = end - start;
    if (records == 1) {
      int body = start + RECORD_HEADER + HANDSHAKE_HEADER;
      return ClientHelloFields.parse(bytes, body, end, span);
    }
    byte[] message = new byte[messageLength];
    int copied = 0;
    for (int p = start; p < end; ) {
      int length = u16(bytes, p + 3);
      bytes.get(p + RECORD_HEADER, message, copied, length);
      copied += length;
      p += RECORD_HEADER + length;
    }
    return ClientHelloFields.parse(ByteBuffer.wrap(message), HANDSHAKE_HEADER, messageLength, span);
  }

  static int u8(ByteBuffer b, int i) {
    return b.get(i) & 0xFF;
  }

  static int u16(ByteBuffer b, int i) {
    return (u8(b, i) << 8) | u8(b, i + 1);
  }

  static String hex(int value) {
    return String.format("0x%04x", value);
  }

  /**
   * The verdict on a buffer. The fields of a HELLO are read only on a HELLO, and the reason and
   * message only on a REJECT; asking otherwise is a bug in the caller and throws.
   */
  public static final class Result {
    static final Result NEED_MORE = new Result(Verdict.NEED_MORE, null, List.of(), 0, false, 0, null, null);

    private final Verdict verdict;
    private final String serverName;
    private final List<String> alpnProtocols;
    private final int legacyVersion;
    private final boolean offersTls13;
    private final int span;
    private final Reason reason;
    private final String message;

    private Result(Verdict verdict, String serverName, List<String> alpnProtocols, int legacyVersion,
        boolean offersTls13, int span, Reason reason, String message) {
      this.verdict = verdict;
      this.serverName = serverName;
      this.alpnProtocols = alpnProtocols;
      this.legacyVersion = legacyVersion;
      this.offersTls13 = offersTls13;
      this.span = span;
      this.reason = reason;
      this.message = message;
    }

    static Result hello(String serverName, List<String> alpnProtocols, int legacyVersion, boolean offersTls13, int span) {
      return new Result(Verdict.HELLO, serverName, List.copyOf(alpnProtocols), legacyVersion, offersTls13, span, null, null);
    }

    static Result reject(Reason reason, String message) {
      return new Result(Verdict.REJECT, null, List.of(), 0, false, 0, reason, message);
    }

    public Verdict verdict() {
      return verdict;
    }

    /**
     * The host_name of the server_name extension exactly as sent, decoded as UTF-8 and not
     * validated (so {@code pg_primary} and {@code db.example.com.} come through); null when the
     * extension is absent or lists no host_name.
     */
    public String serverName() {
      expect(Verdict.HELLO);
      return serverName;
    }

    /** The ALPN protocol names offered, in order (ISO-8859-1, as the JDK decodes them); empty if none. */
    public List<String> alpnProtocols() {
      expect(Verdict.HELLO);
      return alpnProtocols;
    }

    /** ClientHello.legacy_version, e.g. 0x0303 (RFC 8446 §4.1.2). */
    public int legacyVersion() {
      expect(Verdict.HELLO);
      return legacyVersion;
    }

    /** Whether supported_versions lists TLS 1.3 (0x0304, RFC 8446 §4.2.1). */
    public boolean offersTls13() {
      expect(Verdict.HELLO);
      return offersTls13;
    }

    /** The bytes, record headers included, from the buffer's position to the end of the ClientHello. */
    public int span() {
      expect(Verdict.HELLO);
      return span;
    }

    public Reason reason() {
      expect(Verdict.REJECT);
      return reason;
    }

    /** A short description of what was wrong, for logs. */
    public String message() {
      expect(Verdict.REJECT);
      return message;
    }

    private void expect(Verdict wanted) {
      if (verdict != wanted) {
        throw new IllegalStateException("a " + verdict + " result has no " + wanted + " fields");
      }
    }

    @Override
    public String toString() {
      switch (verdict) {
        case HELLO:
          return "HELLO(serverName=" + serverName + ", alpn=" + alpnProtocols + ", legacyVersion=" + hex(legacyVersion)
              + ", tls13=" + offersTls13 + ", span=" + span + ")";
        case REJECT:
          return "REJECT(" + reason + ": " + message + ")";
        case NEED_MORE:
          return "NEED_MORE";
        default:
          throw new AssertionError(verdict);
      }
    }
  }
}
