package io.pgtls.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class CidrTest {
  static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  /** An IPv4-mapped address as a dual-stack socket reports it (Java would otherwise turn it into IPv4). */
  static InetAddress mapped(String v4) throws Exception {
    byte[] b = new byte[16];
    b[10] = (byte) 0xFF;
    b[11] = (byte) 0xFF;
    System.arraycopy(ip(v4).getAddress(), 0, b, 12, 4);
    return Inet6Address.getByAddress(null, b, -1);
  }

  @Test
  void ipv4RangeHoldsItsAddressesOnly() throws Exception {
    Cidr c = Cidr.parse("10.0.0.0/8");
    assertThat(c.contains(ip("10.0.0.0"))).isTrue();
    assertThat(c.contains(ip("10.255.255.255"))).isTrue();
    assertThat(c.contains(ip("11.0.0.0"))).isFalse();
    assertThat(c.contains(ip("9.255.255.255"))).isFalse();
    assertThat(Cidr.parse("192.168.1.0/25").contains(ip("192.168.1.128"))).isFalse();
    assertThat(Cidr.parse("192.168.1.0/25").contains(ip("192.168.1.127"))).isTrue();
  }

  @Test
  void anIpv4MappedIpv6PeerMatchesIpv4Ranges() throws Exception {
    InetAddress peer = mapped("10.1.2.3");
    assertThat(peer).isInstanceOf(Inet6Address.class);
    assertThat(Cidr.parse("10.0.0.0/8").contains(peer)).isTrue();
    assertThat(Cidr.parse("10.1.2.3").contains(peer)).isTrue();
    assertThat(Cidr.parse("11.0.0.0/8").contains(peer)).isFalse();
  }

  @Test
  void aRangeWrittenAsMappedIpv6IsTheIpv4Range() throws Exception {
    Cidr c = Cidr.parse("::ffff:10.0.0.0/104");
    assertThat(c).isEqualTo(Cidr.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
    assertThat(c.contains(ip("10.9.9.9"))).isTrue();
    assertThat(c.contains(mapped("10.9.9.9"))).isTrue();
  }

  @Test
  void ipv6RangesNeverAdmitIpv4ClientsEvenAllOfIpv6() throws Exception {
    Cidr all6 = Cidr.parse("::/0");
    assertThat(all6.contains(ip("2001:db8::1"))).isTrue();
    assertThat(all6.contains(ip("10.1.2.3"))).isFalse();
    assertThat(all6.contains(mapped("10.1.2.3"))).isFalse();
  }

  @Test
  void allOfIpv4AdmitsNoIpv6Client() throws Exception {
    Cidr all4 = Cidr.parse("0.0.0.0/0");
    assertThat(all4.contains(ip("203.0.113.7"))).isTrue();
    assertThat(all4.contains(mapped("203.0.113.7"))).isTrue();
    assertThat(all4.contains(ip("2001:db8::1"))).isFalse();
    assertThat(all4.contains(ip("::1"))).isFalse();
  }

  @Test
  void aSingleAddressIsARangeOfOne() throws Exception {
    assertThat(Cidr.parse("192.168.1.7")).hasToString("192.168.1.7/32").isEqualTo(Cidr.parse("192.168.1.7/32"));
    assertThat(Cidr.parse("192.168.1.7").contains(ip("192.168.1.8"))).isFalse();
    assertThat(Cidr.parse("::1")).hasToString("::1/128");
    assertThat(Cidr.parse("::1").contains(ip("::1"))).isTrue();
    assertThat(Cidr.parse("::1").contains(ip("::2"))).isFalse();
  }

  @Test
  void ipv6Ranges() throws Exception {
    Cidr c = Cidr.parse("2001:db8::/32");
    assertThat(c.contains(ip("2001:db8:ffff::1"))).isTrue();
    assertThat(c.contains(ip("2001:db9::"))).isFalse();
    assertThat(Cidr.parse("2001:db8::/33").contains(ip("2001:db8:8000::"))).isFalse();
  }

  @Test
  void hostBitsBeyondThePrefixAreRefusedWithTheRangeMeant() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.1/8")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host bits set; did you mean 10.0.0.0/8?");
    assertThatThrownBy(() -> Cidr.parse("2001:db8::1/32")).hasMessageContaining("did you mean 2001:db8::/32?");
  }

  @Test
  void prefixesOutOfRangeOrOddlyWrittenAreRefused() {
    for (String bad : new String[] {"10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/08",
        "10.0.0.0/8/8", "10.0.0.0/ 8", "10.0.0.0/1000"}) {
      assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void namesAreRefusedNotResolved() {
    for (String bad : new String[] {"localhost", "localhost/32", "db.example.com/24", "", "fe80::1%eth0/64", "010.0.0.0/8"}) {
      assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("names are not resolved");
    }
  }

  @Test
  void canonicalFormAndEquality() {
    assertThat(Cidr.parse(" 2001:0DB8:0000::/32 ")).hasToString("2001:db8::/32").isEqualTo(Cidr.parse("2001:db8::/32"));
    assertThat(Cidr.parse("0.0.0.0/0")).hasToString("0.0.0.0/0");
    assertThat(Cidr.parse("::/0")).hasToString("::/0");
    assertThat(Cidr.parse("10.0.0.0/8")).isNotEqualTo(Cidr.parse("10.0.0.0/9"));
  }
}
