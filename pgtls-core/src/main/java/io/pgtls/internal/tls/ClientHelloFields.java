package io.pgtls.internal.tls;

import static io.pgtls.internal.tls.ClientHelloPeek.u16;
import static io.pgtls.internal.tls.ClientHelloPeek.u8;

import io.pgtls.internal.tls.ClientHelloPeek.Reason;
import io.pgtls.internal.tls.ClientHelloPeek.Result;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the few fields pgtls routes and logs by from a complete ClientHello body (RFC 8446 §4.1.2,
 * RFC 5246 §7.4.1.2), skipping everything else by its length prefix. Every length is checked
 * against the bytes that remain in its enclosing vector, and every vector must be used up exactly:
 * where this reader and the engine could disagree on a name, the hello is MALFORMED instead.
 */
final class ClientHelloFields {
  /** RFC 6066 §3. */
  static final int SERVER_NAME = 0;
  /** RFC 7301 §3.1. */
  static final int ALPN = 16;
  /** RFC 8446 §4.2.1. */
  static final int SUPPORTED_VERSIONS = 43;
  /** RFC 6066 §3 NameType.host_name. */
  private static final int HOST_NAME = 0;
  private static final int TLS_1_3 = 0x0304;
  private static final int RANDOM = 32;
  private static final int MAX_SESSION_ID = 32;

  private final ByteBuffer buf;
  private String serverName;
  private List<String> alpn = List.of();
  private boolean offersTls13;
  private Result rejection;

  private ClientHelloFields(ByteBuffer buf) {
    this.buf = buf;
  }

  /** Parses the body in {@code buf} from {@code from} to {@code to} (absolute indices). */
  static Result parse(ByteBuffer buf, int from, int to, int span) {
    return new ClientHelloFields(buf).body(from, to, span);
  }

  private Result body(int from, int to, int span) {
    int p = from;
    if (to - p < 2 + RANDOM) {
      return malformed("the ClientHello ends inside legacy_version or random");
    }
    int legacyVersion = u16(buf, p);
    p += 2 + RANDOM;
    // legacy_session_id<0..32>
    if (to - p < 1 || u8(buf, p) > MAX_SESSION_ID || to - p - 1 < u8(buf, p)) {
      return malformed("legacy_session_id does not fit");
    }
    p += 1 + u8(buf, p);
    // cipher_suites<2..2^16-2>, two bytes per suite
    if (to - p < 2) {
      return malformed("cipher_suites is missing");
    }
    int suites = u16(buf, p);
    if (suites < 2 || suites % 2 != 0 || to - p - 2 < suites) {
      return malformed("cipher_suites of " + suites + " bytes does not fit");
    }
    p += 2 + suites;
    // legacy_compression_methods<1..2^8-1>
    if (to - p < 1 || u8(buf, p) < 1 || to - p - 1 < u8(buf, p)) {
      return malformed("legacy_compression_methods does not fit");
    }
    p += 1 + u8(buf, p);
    if (p == to) {
      // RFC 5246 §7.4.1.2: a TLS 1.2 hello may end here, with no extensions block at all.
      return Result.hello(null, List.of(), legacyVersion, false, span);
    }
    if (to - p < 2 || u16(buf, p) != to - p - 2) {
      return malformed("the extensions block does not end where the ClientHello ends");
    }
    if (!extensions(p + 2, to)) {
      return rejection;
    }
    return Result.hello(serverName, alpn, legacyVersion, offersTls13, span);
  }

  /** Walks Extension extensions<...>; false (with {@link #rejection} set) on the first fault. */
  private boolean extensions(int from, int to) {
    boolean sawServerName = false;
    boolean sawAlpn = false;
    boolean sawVersions = false;
    int p = from;
    while (p < to) {
      if (to - p < 4) {
        return fail("an extension header is cut short");
      }
      int type = u16(buf, p);
      int length = u16(buf, p + 2);
      int data = p + 4;
      if (to - data < length) {
        return fail("extension " + type + " of " + length + " bytes runs past the extensions block");
      }
      int end = data + length;
      // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type". A second
      // server_name could be read differently by the engine, so duplicates of those read here fail.
      switch (type) {
        case SERVER_NAME:
          if (sawServerName) {
            return fail("two server_name extensions");
          }
          sawServerName = true;
          if (!serverName(data, end)) {
            return false;
          }
          break;
        case ALPN:
          if (sawAlpn) {
            return fail("two application_layer_protocol_negotiation extensions");
          }
          sawAlpn = true;
          if (!alpn(data, end)) {
            return false;
          }
          break;
        case SUPPORTED_VERSIONS:
          if (sawVersions) {
            return fail("two supported_versions extensions");
          }
          sawVersions = true;
          if (!supportedVersions(data, end)) {
            return false;
          }
          break;
        default:
          break;
      }
      p = end;
    }
    return true;
  }

  /**
   * RFC 6066 §3: ServerName server_name_list<1..2^16-1>, each a NameType byte and, for
   * host_name, HostName&lt;1..2^16-1&gt;. Only host_name is defined; other types are skipped as an
   * opaque 2-byte-length vector, as the JDK reads them. "The ServerNameList MUST NOT contain more
   * than one name of the same name_type."
   */
  private boolean serverName(int from, int to) {
    if (to - from < 2 || u16(buf, from) != to - from - 2) {
      return fail("the server_name list length does not match the extension length");
    }
    if (to - from == 2) {
      return fail("the server_name list is empty");
    }
    int p = from + 2;
    while (p < to) {
      if (to - p < 3) {
        return fail("a server_name entry is cut short");
      }
      int nameType = u8(buf, p);
      int length = u16(buf, p + 1);
      p += 3;
      if (to - p < length) {
        return fail("a server_name entry of " + length + " bytes runs past its list");
      }
      if (nameType == HOST_NAME) {
        if (serverName != null) {
          return fail("two host_name entries in server_name");
        }
        if (length == 0) {
          return fail("an empty host_name");
        }
        // Not validated: PostgreSQL clients send names the JDK's SNIHostName refuses (pg_primary,
        // db.example.com.), and routing must still see them.
        serverName = string(p, length, StandardCharsets.UTF_8);
      }
      p += length;
    }
    return true;
  }

  /**
   * RFC 7301 §3.1: ProtocolName protocol_name_list&lt;2..2^16-1&gt;, each opaque
   * ProtocolName&lt;1..2^8-1&gt;. Decoded as ISO-8859-1, the JDK's default for ALPN names
   * (jdk.tls.alpnCharset), so that a name compares equal to the engine's.
   */
  private boolean alpn(int from, int to) {
    if (to - from < 2 || u16(buf, from) != to - from - 2) {
      return fail("the ALPN list length does not match the extension length");
    }
    if (to - from == 2) {
      return fail("the ALPN list is empty");
    }
    List<String> names = new ArrayList<>();
    int p = from + 2;
    while (p < to) {
      int length = u8(buf, p);
      p += 1;
      if (length == 0 || to - p < length) {
        return fail("an ALPN protocol name of " + length + " bytes is empty or runs past its list");
      }
      names.add(string(p, length, StandardCharsets.ISO_8859_1));
      p += length;
    }
    alpn = names;
    return true;
  }

  /**
   * RFC 8446 §4.2.1: in a ClientHello, ProtocolVersion versions&lt;2..254&gt;. GREASE values (RFC
   * 8701) and unknown versions are ignored.
   */
  private boolean supportedVersions(int from, int to) {
    if (to - from < 1 || u8(buf, from) != to - from - 1) {
      return fail("the supported_versions length does not match the extension length");
    }
    int length = to - from - 1;
    if (length < 2 || length % 2 != 0) {
      return fail("supported_versions of " + length + " bytes is not a list of versions");
    }
    for (int p = from + 1; p < to; p += 2) {
      if (u16(buf, p) == TLS_1_3) {
        offersTls13 = true;
      }
    }
    return true;
  }

  private String string(int from, int length, Charset charset) {
    byte[] b = new byte[length];
    buf.get(from, b);
    return new String(b, charset);
  }

  private boolean fail(String message) {
    rejection = malformed(message);
    return false;
  }

  private static Result malformed(String message) {
    return Result.reject(Reason.MALFORMED, message);
  }
}
