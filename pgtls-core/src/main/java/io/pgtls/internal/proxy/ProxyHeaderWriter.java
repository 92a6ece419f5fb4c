package io.pgtls.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Builds the PROXY protocol header pgtls may send first toward a backend that expects one
 * (HAProxy {@code accept-proxy}, Envoy, the Neon proxy, another pgtls). PostgreSQL up to 18 and
 * PgBouncer cannot read it, so it is only for backends configured as PROXY-aware.
 *
 * <p>When both addresses are IPv4 (IPv4-mapped IPv6 counts as IPv4) the header is TCP4; otherwise
 * it is TCP6 and an IPv4 address is written IPv4-mapped, since the spec has both addresses of one
 * family. When the client's address is unknown, v2 says LOCAL and v1 says UNKNOWN.
 */
public final class ProxyHeaderWriter {
  private static final int MAX_LEN = 0xFFFF;

  private ProxyHeaderWriter() {}

  /** Whether a v2 header carries a CRC32C TLV (spec §2.2.3) over itself. */
  public enum Checksum {
    NONE,
    CRC32C
  }

  /** A v2 TLV to send: a type 0–255 and up to 65535 bytes of value. */
  public record Tlv(int type, byte[] value) {
    public Tlv {
      if (type < 0 || type > 0xFF) {
        throw new IllegalArgumentException("TLV type " + type + " is not one byte");
      }
      if (type == V2Tlvs.CRC32C_TYPE) {
        throw new IllegalArgumentException("the CRC32C TLV is added by Checksum.CRC32C, not given");
      }
      if (value.length > MAX_LEN) {
        throw new IllegalArgumentException("TLV value of " + value.length + " bytes (at most " + MAX_LEN + ")");
      }
      value = value.clone();
    }

    public static Tlv of(int type, String utf8) {
      return new Tlv(type, utf8.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Tlv && ((Tlv) o).type == type && Arrays.equals(((Tlv) o).value, value);
    }

    @Override
    public int hashCode() {
      return type * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return String.format("Tlv(0x%02x, %s)", type, LogText.printableOrHex(value));
    }
  }

  /**
   * A v1 line, {@code PROXY TCP4 192.0.2.1 10.0.0.5 51234 5432\r\n}, or {@code PROXY UNKNOWN\r\n}
   * when either address is null.
   *
   * @throws IllegalArgumentException for an unresolved address
   */
  public static byte[] v1(InetSocketAddress source, InetSocketAddress destination) {
    if (source == null || destination == null) {
      return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    }
    byte[][] pair = sameFamily(source, destination);
    String line = "PROXY " + (pair[0].length == 4 ? "TCP4 " : "TCP6 ") + IpLiteral.format(pair[0]) + " "
        + IpLiteral.format(pair[1]) + " " + source.getPort() + " " + destination.getPort() + "\r\n";
    return line.getBytes(StandardCharsets.US_ASCII);
  }

  /** A v2 header without TLVs; LOCAL when either address is null. */
  public static byte[] v2(InetSocketAddress source, InetSocketAddress destination) {
    return v2(source, destination, List.of(), Checksum.NONE);
  }

  /**
   * A v2 header: PROXY with TCP4 or TCP6 addresses, or LOCAL with the UNSPEC family and no
   * addresses when either address is null; then the TLVs in order, then the CRC32C TLV if asked.
   *
   * @throws IllegalArgumentException for an unresolved address, or TLVs past the 65535-byte
   *     {@code len}
   */
  public static byte[] v2(InetSocketAddress source, InetSocketAddress destination, List<Tlv> tlvs, Checksum checksum) {
    Objects.requireNonNull(tlvs, "tlvs");
    Objects.requireNonNull(checksum, "checksum");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int verCmd;
    int fam;
    if (source == null || destination == null) {
      verCmd = 0x20; // version 2, LOCAL
      fam = 0x00; // AF_UNSPEC, UNSPEC: "The sender should use this family when sending LOCAL commands"
    } else {
      byte[][] pair = sameFamily(source, destination);
      verCmd = 0x21; // version 2, PROXY
      fam = pair[0].length == 4 ? 0x11 : 0x21; // TCP over IPv4 or IPv6
      body.writeBytes(pair[0]);
      body.writeBytes(pair[1]);
      writeU16(body, source.getPort());
      writeU16(body, destination.getPort());
    }
    for (Tlv tlv : tlvs) {
      writeTlv(body, tlv.type(), tlv.value);
    }
    int crcAt = -1;
    if (checksum == Checksum.CRC32C) {
      crcAt = V2Header.FIXED_LENGTH + body.size() + 3;
      writeTlv(body, V2Tlvs.CRC32C_TYPE, new byte[4]); // "initialize the checksum field to '0's"
    }
    if (body.size() > MAX_LEN) {
      throw new IllegalArgumentException("v2 header body of " + body.size() + " bytes (len is at most " + MAX_LEN + ")");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(V2Header.FIXED_LENGTH + body.size());
    out.writeBytes(V2Header.SIGNATURE);
    out.write(verCmd);
    out.write(fam);
    writeU16(out, body.size());
    out.writeBytes(body.toByteArray());
    byte[] header = out.toByteArray();
    if (crcAt >= 0) {
      CRC32C crc = new CRC32C();
      crc.update(header);
      long value = crc.getValue(); // written in network byte order, as HAProxy does
      header[crcAt] = (byte) (value >>> 24);
      header[crcAt + 1] = (byte) (value >>> 16);
      header[crcAt + 2] = (byte) (value >>> 8);
      header[crcAt + 3] = (byte) value;
    }
    return header;
  }

  /** The two addresses' bytes, both IPv4 or both IPv6 (an IPv4 one then written IPv4-mapped). */
  private static byte[][] sameFamily(InetSocketAddress source, InetSocketAddress destination) {
    byte[] s = IpLiteral.unmapped(bytes(source));
    byte[] d = IpLiteral.unmapped(bytes(destination));
    if (s.length != d.length) {
      s = mapped(s);
      d = mapped(d);
    }
    return new byte[][] {s, d};
  }

  private static byte[] bytes(InetSocketAddress address) {
    if (address.getAddress() == null) {
      throw new IllegalArgumentException(address + " is unresolved; a PROXY header carries addresses");
    }
    return address.getAddress().getAddress();
  }

  private static byte[] mapped(byte[] address) {
    if (address.length == 16) {
      return address;
    }
    byte[] m = new byte[16];
    m[10] = (byte) 0xFF;
    m[11] = (byte) 0xFF;
    System.arraycopy(address, 0, m, 12, 4);
    return m;
  }

  private static void writeTlv(ByteArrayOutputStream out, int type, byte[] value) {
    out.write(type);
    writeU16(out, value.length);
    out.writeBytes(value);
  }

  private static void writeU16(ByteArrayOutputStream out, int value) {
    out.write(value >>> 8);
    out.write(value & 0xFF);
  }
}
