package io.pgtls.internal.proxy;

import io.pgtls.internal.proxy.ProxyHeader.Ssl;
import io.pgtls.internal.proxy.ProxyHeader.SslClient;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The TLVs after a v2 header's address block (spec §2.2), {@code type(1) length(2, big-endian)
 * value}: the registered ones pgtls uses are decoded, the CRC32C is verified, and the others are
 * skipped and listed by type. Every TLV must end inside the header.
 *
 * <p>A registered TLV appears at most once: two AUTHORITYs or two checksums are refused rather
 * than one picked. Text values must be valid UTF-8.
 */
final class V2Tlvs {
  static final int ALPN = 0x01;
  static final int AUTHORITY = 0x02;
  static final int CRC32C_TYPE = 0x03;
  static final int NOOP = 0x04;
  static final int UNIQUE_ID = 0x05;
  static final int SSL = 0x20;
  static final int SSL_VERSION = 0x21;
  static final int SSL_CN = 0x22;
  /** Application-specific range (spec §2.2.8): AWS PrivateLink uses 0xEA, subtype 0x01 the VPC endpoint id. */
  static final int AWS = 0xEA;
  /** Application-specific range: Azure Private Link Service uses 0xEE, subtype 0x01 the LINKID. */
  static final int AZURE = 0xEE;
  static final int SUBTYPE_AWS_VPCE_ID = 0x01;
  static final int SUBTYPE_AZURE_LINK_ID = 0x01;
  /** Spec §2.2.5: "an opaque byte sequence of up to 128 bytes". */
  static final int MAX_UNIQUE_ID = 128;
  /** Spec §2.2.6: {@code uint8_t client; uint32_t verify;} before the sub-TLVs. */
  private static final int SSL_FIXED = 5;
  private static final int TLV_HEAD = 3;

  private V2Tlvs() {}

  /** What the TLVs said; fields are null when their TLV was absent. */
  record Found(String alpn, String authority, byte[] uniqueId, String awsVpcEndpointId, Long azureLinkId, Ssl ssl,
      List<Integer> otherTlvTypes) {
    @Override
    public String toString() {
      return "Found(alpn=" + alpn + ", authority=" + authority + ", vpce=" + awsVpcEndpointId + ", azure="
          + azureLinkId + ", ssl=" + ssl + ", other=" + otherTlvTypes + ")";
    }
  }

  /**
   * Reads the TLVs between {@code from} and {@code end} (absolute indexes) of the header starting
   * at {@code headerStart}.
   */
  static Found read(ByteBuffer buf, int headerStart, int from, int end) throws MalformedHeader {
    String alpn = null;
    String authority = null;
    byte[] uniqueId = null;
    String vpce = null;
    Long linkId = null;
    Ssl ssl = null;
    int crcAt = -1;
    List<Integer> other = new ArrayList<>();
    for (int p = from; p < end; ) {
      int type = buf.get(p) & 0xFF;
      int value = p + TLV_HEAD;
      int length = value <= end ? V2Header.u16(buf, p + 1) : -1;
      if (length < 0 || value + length > end) {
        throw new MalformedHeader(String.format("v2 TLV 0x%02x at byte %d runs past the end of the header", type,
            p - headerStart));
      }
      switch (type) {
        case ALPN:
          alpn = once(alpn, "ALPN", utf8(buf, value, length, "ALPN"));
          break;
        case AUTHORITY:
          authority = once(authority, "AUTHORITY", utf8(buf, value, length, "AUTHORITY"));
          break;
        case CRC32C_TYPE:
          if (length != 4) {
            throw new MalformedHeader("v2 CRC32C TLV of length " + length + " (must be 4)");
          }
          if (crcAt >= 0) {
            throw duplicate("CRC32C");
          }
          crcAt = value;
          break;
        case NOOP:
          break; // Spec §2.2.4: padding, "should be ignored when parsed".
        case UNIQUE_ID:
          if (length > MAX_UNIQUE_ID) {
            throw new MalformedHeader("v2 UNIQUE_ID of " + length + " bytes (at most " + MAX_UNIQUE_ID + ")");
          }
          uniqueId = once(uniqueId, "UNIQUE_ID", bytes(buf, value, length));
          break;
        case SSL:
          ssl = once(ssl, "SSL", ssl(buf, value, length));
          break;
        case AWS:
          if (subtype(buf, value, length, "AWS") == SUBTYPE_AWS_VPCE_ID) {
            vpce = once(vpce, "AWS VPC endpoint id", vpceId(buf, value + 1, length - 1));
          } else {
            other.add(type);
          }
          break;
        case AZURE:
          if (subtype(buf, value, length, "Azure") == SUBTYPE_AZURE_LINK_ID) {
            if (length != 5) {
              throw new MalformedHeader("v2 Azure LINKID TLV of length " + length + " (must be 5)");
            }
            // A uint32 in little-endian order, unlike the rest of the header.
            long id = (buf.get(value + 1) & 0xFFL) | (buf.get(value + 2) & 0xFFL) << 8
                | (buf.get(value + 3) & 0xFFL) << 16 | (buf.get(value + 4) & 0xFFL) << 24;
            linkId = once(linkId, "Azure LINKID", id);
          } else {
            other.add(type);
          }
          break;
        default:
          other.add(type); // Spec §2.2: "A receiver may choose to skip over and ignore the TLVs".
          break;
      }
      p = value + length;
    }
    if (crcAt >= 0) {
      verifyCrc32c(buf, headerStart, crcAt, end);
    }
    return new Found(alpn, authority, uniqueId, vpce, linkId, ssl, other);
  }

  /**
   * Spec §2.2.3: zero the 32 checksum bits, compute CRC32c (RFC 4960 Appendix B, Castagnoli) over
   * the whole header, and compare with the value the sender put there, in network byte order as
   * HAProxy writes it; "If it is not, the receiver MUST treat the TCP connection providing the
   * header as invalid."
   */
  private static void verifyCrc32c(ByteBuffer buf, int headerStart, int crcAt, int end) throws MalformedHeader {
    CRC32C crc = new CRC32C();
    ByteBuffer view = buf.duplicate();
    view.limit(crcAt).position(headerStart);
    crc.update(view);
    crc.update(new byte[4]);
    view.limit(end).position(crcAt + 4);
    crc.update(view);
    long sent = u32(buf, crcAt);
    if (crc.getValue() != sent) {
      throw new MalformedHeader(String.format("v2 CRC32C mismatch (the header says %08x, its bytes give %08x)", sent,
          crc.getValue()));
    }
  }

  /** Spec §2.2.6: {@code client}, {@code verify}, then sub-TLVs inside the SSL TLV's value. */
  private static Ssl ssl(ByteBuffer buf, int value, int length) throws MalformedHeader {
    if (length < SSL_FIXED) {
      throw new MalformedHeader("v2 SSL TLV of length " + length + " (at least " + SSL_FIXED + ")");
    }
    int client = buf.get(value) & 0xFF;
    Set<SslClient> flags = EnumSet.noneOf(SslClient.class);
    // PP2_CLIENT_SSL 0x01, PP2_CLIENT_CERT_CONN 0x02, PP2_CLIENT_CERT_SESS 0x04; other bits are
    // unassigned and ignored.
    if ((client & 0x01) != 0) {
      flags.add(SslClient.SSL);
    }
    if ((client & 0x02) != 0) {
      flags.add(SslClient.CERT_CONN);
    }
    if ((client & 0x04) != 0) {
      flags.add(SslClient.CERT_SESS);
    }
    int verify = (int) u32(buf, value + 1);
    String version = null;
    String cn = null;
    int end = value + length;
    for (int p = value + SSL_FIXED; p < end; ) {
      int type = buf.get(p) & 0xFF;
      int subValue = p + TLV_HEAD;
      int subLength = subValue <= end ? V2Header.u16(buf, p + 1) : -1;
      if (subLength < 0 || subValue + subLength > end) {
        throw new MalformedHeader(String.format("v2 SSL sub-TLV 0x%02x runs past the end of the SSL TLV", type));
      }
      if (type == SSL_VERSION) {
        version = once(version, "SSL VERSION", utf8(buf, subValue, subLength, "SSL VERSION"));
      } else if (type == SSL_CN) {
        cn = once(cn, "SSL CN", utf8(buf, subValue, subLength, "SSL CN"));
      } // CIPHER, SIG_ALG, KEY_ALG and unknown sub-TLVs are skipped.
      p = subValue + subLength;
    }
    return new Ssl(flags, verify, version, cn);
  }

  private static int subtype(ByteBuffer buf, int value, int length, String vendor) throws MalformedHeader {
    if (length < 1) {
      throw new MalformedHeader("v2 " + vendor + " TLV without its subtype byte");
    }
    return buf.get(value) & 0xFF;
  }

  /** AWS writes the endpoint id as ASCII ({@code vpce-0123abcd}); an allowlist compares it, so it must be plain. */
  private static String vpceId(ByteBuffer buf, int at, int length) throws MalformedHeader {
    byte[] b = bytes(buf, at, length);
    for (byte x : b) {
      if (x <= ' ' || x >= 0x7F) {
        throw new MalformedHeader("v2 AWS VPC endpoint id is not printable ASCII: " + LogText.printableOrHex(b));
      }
    }
    if (b.length == 0) {
      throw new MalformedHeader("v2 AWS VPC endpoint id is empty");
    }
    return new String(b, StandardCharsets.US_ASCII);
  }

  private static String utf8(ByteBuffer buf, int at, int length, String name) throws MalformedHeader {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes(buf, at, length)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedHeader("v2 " + name + " is not valid UTF-8: " + LogText.printableOrHex(bytes(buf, at, length)));
    }
  }

  private static byte[] bytes(ByteBuffer buf, int at, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = buf.get(at + i);
    }
    return b;
  }

  private static <T> T once(T previous, String name, T value) throws MalformedHeader {
    if (previous != null) {
      throw duplicate(name);
    }
    return value;
  }

  private static MalformedHeader duplicate(String name) {
    return new MalformedHeader("v2 header with two " + name + " TLVs");
  }

  /** A big-endian uint32, read byte by byte whatever the buffer's order. */
  private static long u32(ByteBuffer buf, int at) {
    return (buf.get(at) & 0xFFL) << 24 | (buf.get(at + 1) & 0xFFL) << 16 | (buf.get(at + 2) & 0xFFL) << 8
        | (buf.get(at + 3) & 0xFFL);
  }
}
