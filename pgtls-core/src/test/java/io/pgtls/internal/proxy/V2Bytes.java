package io.pgtls.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Builds v2 headers byte by byte for tests, including wrong ones: any {@code ver_cmd}, {@code fam}
 * or {@code len}, raw TLVs, and a CRC32C computed here bit by bit (independently of {@code
 * java.util.zip.CRC32C}, which the parser uses).
 */
final class V2Bytes {
  static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

  private int verCmd;
  private int fam;
  private byte[] addresses;
  private final ByteArrayOutputStream tlvs = new ByteArrayOutputStream();
  private Integer len;
  private int crcAt = -1;

  private V2Bytes(int verCmd, int fam, byte[] addresses) {
    this.verCmd = verCmd;
    this.fam = fam;
    this.addresses = addresses;
  }

  /** PROXY, TCP over IPv4 (0x21, 0x11). */
  static V2Bytes tcp4(String source, int sourcePort, String destination, int destinationPort) {
    return new V2Bytes(0x21, 0x11, block(ip(source), ip(destination), sourcePort, destinationPort));
  }

  /** PROXY, TCP over IPv6 (0x21, 0x21). */
  static V2Bytes tcp6(String source, int sourcePort, String destination, int destinationPort) {
    return new V2Bytes(0x21, 0x21, block(ip6(source), ip6(destination), sourcePort, destinationPort));
  }

  /** LOCAL, UNSPEC, no addresses: what HAProxy sends for its own health checks. */
  static V2Bytes local() {
    return new V2Bytes(0x20, 0x00, new byte[0]);
  }

  V2Bytes verCmd(int value) {
    verCmd = value;
    return this;
  }

  V2Bytes fam(int value) {
    fam = value;
    return this;
  }

  V2Bytes addresses(byte[] value) {
    addresses = value;
    return this;
  }

  /** Overrides {@code len}; by default it is the length of the addresses and TLVs. */
  V2Bytes len(int value) {
    len = value;
    return this;
  }

  V2Bytes tlv(int type, byte[] value) {
    return raw(type, value.length >> 8, value.length & 0xFF).raw(value);
  }

  V2Bytes tlv(int type, String value) {
    return tlv(type, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Bytes put as they are after the TLVs so far. */
  V2Bytes raw(int... bytes) {
    for (int b : bytes) {
      tlvs.write(b);
    }
    return this;
  }

  V2Bytes raw(byte[] bytes) {
    tlvs.writeBytes(bytes);
    return this;
  }

  /** A CRC32C TLV here, whose value is filled in by {@link #build}. */
  V2Bytes crc32c() {
    crcAt = 16 + addresses.length + tlvs.size() + 3;
    return tlv(0x03, new byte[4]);
  }

  byte[] build() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(SIGNATURE);
    out.write(verCmd);
    out.write(fam);
    int n = len != null ? len : addresses.length + tlvs.size();
    out.write(n >> 8);
    out.write(n & 0xFF);
    out.writeBytes(addresses);
    out.writeBytes(tlvs.toByteArray());
    byte[] b = out.toByteArray();
    if (crcAt >= 0) {
      long crc = crc32c(b);
      b[crcAt] = (byte) (crc >> 24);
      b[crcAt + 1] = (byte) (crc >> 16);
      b[crcAt + 2] = (byte) (crc >> 8);
      b[crcAt + 3] = (byte) crc;
    }
    return b;
  }

  /** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit as in RFC 4960 Appendix B. */
  static long crc32c(byte[] data) {
    int crc = 0xFFFFFFFF;
    for (byte d : data) {
      crc ^= d & 0xFF;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
      }
    }
    return ~crc & 0xFFFFFFFFL;
  }

  static byte[] block(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(source);
    out.writeBytes(destination);
    out.write(sourcePort >> 8);
    out.write(sourcePort & 0xFF);
    out.write(destinationPort >> 8);
    out.write(destinationPort & 0xFF);
    return out.toByteArray();
  }

  static byte[] ip(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Sixteen bytes even for {@code ::ffff:a.b.c.d}, which Java would shorten to four. */
  static byte[] ip6(String literal) {
    byte[] b = IpLiteral.v6Bytes(literal);
    if (b == null) {
      throw new IllegalArgumentException(literal);
    }
    return b;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
