package io.pgtls.internal.limit;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The form of a client address that {@link SourceLimits} counts by: the bare address bytes, with
 * an IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.1}, as a PROXY header or {@code
 * Inet6Address.getByAddress} may give it) turned into its IPv4 address, so that both forms are
 * one source. Host names and IPv6 scope ids are dropped: a key keeps no reverse-lookup result
 * alive, and a link-local address is one source whichever interface it came in on.
 */
public final class SourceAddress {
  private SourceAddress() {}

  /** {@code address} as {@link SourceLimits} keys it. */
  public static InetAddress normalise(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet6Address && isIpv4Mapped(bytes)) {
      bytes = new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
    }
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}
