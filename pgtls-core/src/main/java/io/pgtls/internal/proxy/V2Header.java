package io.pgtls.internal.proxy;

import io.pgtls.internal.proxy.ProxyHeader.Command;
import io.pgtls.internal.proxy.ProxyHeader.Family;
import io.pgtls.internal.proxy.ProxyHeader.Info;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The binary header of PROXY protocol version 2 (spec §2.2): a 12-byte signature, {@code ver_cmd},
 * {@code fam}, a big-endian {@code len}, then {@code len} bytes of addresses and TLVs. Every fixed
 * field is judged as soon as it arrives, so a wrong byte is refused without waiting for the rest.
 */
final class V2Header {
  /** Spec §2.2: "\x0D \x0A \x0D \x0A \x00 \x0D \x0A \x51 \x55 \x49 \x54 \x0A" (contains a NUL). */
  static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  static final int FIXED_LENGTH = 16;
  static final int TCP4_BLOCK = 12;
  static final int TCP6_BLOCK = 36;
  static final int UNIX_BLOCK = 216;

  private V2Header() {}

  static Parse peek(ByteBuffer buf, int start, int available, int maxLength) throws MalformedHeader {
    if (!ProxyHeader.startsWithPrefixOf(buf, start, available, SIGNATURE)) {
      throw new MalformedHeader(ForeignBytes.describe(buf, start, available));
    }
    if (available <= 12) {
      return Parse.needMore();
    }
    int verCmd = buf.get(start + 12) & 0xFF;
    // Spec §2.2: the version nibble "must always be sent as \x2 and the receiver must only accept
    // this value"; commands other than LOCAL (0) and PROXY (1): "Receivers must drop connections".
    if (verCmd >>> 4 != 2) {
      throw new MalformedHeader("v2 signature followed by version " + (verCmd >>> 4) + " (only version 2 exists)");
    }
    Command command;
    switch (verCmd & 0x0F) {
      case 0:
        command = Command.LOCAL;
        break;
      case 1:
        command = Command.PROXY;
        break;
      default:
        throw new MalformedHeader("v2 unknown command 0x" + Integer.toHexString(verCmd & 0x0F));
    }
    if (available <= 13) {
      return Parse.needMore();
    }
    int fam = buf.get(start + 13) & 0xFF;
    Family family = family(fam);
    int block = blockLength(family);
    if (available < FIXED_LENGTH) {
      return Parse.needMore();
    }
    int len = u16(buf, start + 14);
    if (len > maxLength) {
      throw new MalformedHeader("v2 length " + len + " above the limit " + maxLength);
    }
    // The family's addresses come first. The spec has LOCAL "discard the protocol block including
    // the family", but it also has receivers reject unknown family bytes and skip by len; this
    // parser holds LOCAL to the same family and length rules, so TLVs always start after the
    // family's block.
    if (len < block) {
      throw new MalformedHeader("v2 length " + len + " is shorter than the " + block + "-byte " + family
          + " address block");
    }
    int total = FIXED_LENGTH + len;
    if (available < total) {
      return Parse.needMore();
    }
    InetSocketAddress source = null;
    InetSocketAddress destination = null;
    if (command == Command.PROXY && (family == Family.TCP4 || family == Family.TCP6)) {
      int size = family == Family.TCP4 ? 4 : 16;
      int a = start + FIXED_LENGTH;
      // src address, dst address, src port, dst port, all in network byte order.
      source = new InetSocketAddress(address(buf, a, size), u16(buf, a + 2 * size));
      destination = new InetSocketAddress(address(buf, a + size, size), u16(buf, a + 2 * size + 2));
    }
    V2Tlvs.Found tlvs = V2Tlvs.read(buf, start, start + FIXED_LENGTH + block, start + total);
    return Parse.header(total, Info.v2(command, family, source, destination, tlvs));
  }

  /**
   * Spec §2.2 {@code fam}: the family in the high nibble, the transport in the low one; "other
   * values ... must be rejected as invalid by receivers". PostgreSQL runs over a stream, so the
   * datagram combinations the spec lists (0x12, 0x22, 0x32) are refused too.
   */
  private static Family family(int fam) throws MalformedHeader {
    switch (fam) {
      case 0x00:
        return Family.UNSPEC;
      case 0x11:
        return Family.TCP4;
      case 0x21:
        return Family.TCP6;
      case 0x31:
        return Family.UNIX;
      case 0x12:
      case 0x22:
      case 0x32:
        throw new MalformedHeader(String.format("v2 datagram transport 0x%02x (%s): PostgreSQL runs over a stream", fam,
            fam == 0x12 ? "UDP over IPv4" : fam == 0x22 ? "UDP over IPv6" : "Unix datagram"));
      default:
        throw new MalformedHeader(String.format("v2 unknown address family and transport 0x%02x", fam));
    }
  }

  /** Spec §2.2: TCP4 2×4 + 2×2 bytes, TCP6 2×16 + 2×2, UNIX 2×108, UNSPEC none. */
  private static int blockLength(Family family) {
    switch (family) {
      case TCP4:
        return TCP4_BLOCK;
      case TCP6:
        return TCP6_BLOCK;
      case UNIX:
        return UNIX_BLOCK;
      default:
        return 0;
    }
  }

  private static InetAddress address(ByteBuffer buf, int at, int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = buf.get(at + i);
    }
    try {
      // From bytes: never a lookup. An IPv4-mapped IPv6 source comes back as the IPv4 address.
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }

  static int u16(ByteBuffer buf, int at) {
    return (buf.get(at) & 0xFF) << 8 | (buf.get(at + 1) & 0xFF);
  }
}
