package io.pgtls.internal.proxy;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A range of IP addresses, {@code 10.0.0.0/8} or {@code 2001:db8::/32}, as trusted-proxy lists and
 * allowlists are written. A single address is a range of one ({@code /32} or {@code /128}).
 *
 * <p>IPv4 clients reach a dual-stack socket as IPv4-mapped IPv6 addresses ({@code
 * ::ffff:10.1.2.3}, RFC 4291 §2.5.5.2); both the ranges and the addresses tested are normalised
 * so that such an address is the IPv4 address it carries. A range written inside {@code
 * ::ffff:0:0/96} is therefore an IPv4 range, and no other IPv6 range ever contains an IPv4
 * address ({@code ::/0} admits no IPv4 client).
 */
public final class Cidr {
  private final byte[] network;
  private final int prefixLength;

  private Cidr(byte[] network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * Reads {@code address/prefix} or a bare address. The address must be an IP literal: names are
   * refused, never resolved. A range with bits set after the prefix is refused rather than
   * silently widened, since {@code 10.0.0.1/8} usually means the writer meant something else.
   *
   * @throws IllegalArgumentException saying what is wrong, quoting the text
   */
  public static Cidr parse(String text) {
    Objects.requireNonNull(text, "range");
    String s = text.trim();
    int slash = s.indexOf('/');
    String addressText = slash < 0 ? s : s.substring(0, slash);
    byte[] address = addressText.indexOf(':') >= 0 ? IpLiteral.v6Bytes(addressText) : IpLiteral.v4Bytes(addressText);
    if (address == null) {
      throw new IllegalArgumentException("'" + text + "' is not an address range: '" + addressText
          + "' is not an IPv4 or IPv6 address (names are not resolved; IPv4 numbers have no leading zeros)");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String prefixText = s.substring(slash + 1);
      if (!isPlainNumber(prefixText) || Integer.parseInt(prefixText) > bits) {
        throw new IllegalArgumentException("'" + text + "' has a bad prefix length '" + prefixText + "': expected 0 to "
            + bits);
      }
      prefix = Integer.parseInt(prefixText);
    }
    byte[] network = masked(address, prefix);
    if (!Arrays.equals(network, address)) {
      throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean "
          + IpLiteral.format(network) + "/" + prefix + "?");
    }
    byte[] unmapped = IpLiteral.unmapped(network);
    if (unmapped != network && prefix >= 96) {
      return new Cidr(unmapped, prefix - 96);
    }
    return new Cidr(network, prefix);
  }

  private static boolean isPlainNumber(String s) {
    if (s.isEmpty() || s.length() > 3 || (s.length() > 1 && s.charAt(0) == '0')) {
      return false;
    }
    return s.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static byte[] masked(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      out[i] &= (byte) (0xFF00 >>> keep);
    }
    return out;
  }

  /** Whether the range holds {@code address}; an IPv4-mapped IPv6 address counts as IPv4. */
  public boolean contains(InetAddress address) {
    byte[] b = IpLiteral.unmapped(address.getAddress());
    if (b.length != network.length) {
      return false;
    }
    return Arrays.equals(masked(b, prefixLength), network);
  }

  public boolean isIpv4() {
    return network.length == 4;
  }

  public int prefixLength() {
    return prefixLength;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr && ((Cidr) o).prefixLength == prefixLength && Arrays.equals(((Cidr) o).network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefixLength;
  }

  /** The canonical form, always with its prefix: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code ::1/128}. */
  @Override
  public String toString() {
    return IpLiteral.format(network) + "/" + prefixLength;
  }
}
