package io.pgtls.internal.proxy;

import static io.pgtls.internal.proxy.Peeks.peek;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.proxy.ProxyHeader.Command;
import io.pgtls.internal.proxy.ProxyHeader.Family;
import io.pgtls.internal.proxy.ProxyHeader.Info;
import io.pgtls.internal.proxy.ProxyHeader.Kind;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import io.pgtls.internal.proxy.ProxyHeaderWriter.Checksum;
import io.pgtls.internal.proxy.ProxyHeaderWriter.Tlv;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyHeaderWriterTest {
  private static final InetSocketAddress CLIENT4 = new InetSocketAddress("203.0.113.7", 51234);
  private static final InetSocketAddress BACKEND4 = new InetSocketAddress("10.0.0.5", 5432);
  private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::7", 40000);
  private static final InetSocketAddress BACKEND6 = new InetSocketAddress("2001:db8::1", 5432);

  private static Info roundTrip(byte[] header) {
    Parse p = peek(header);
    assertThat(p.kind()).as("%s", p).isEqualTo(Kind.HEADER);
    assertThat(p.length()).isEqualTo(header.length);
    return p.info();
  }

  private static InetSocketAddress mapped(String v4, int port) throws Exception {
    return new InetSocketAddress(Inet6Address.getByAddress(null, V2Bytes.ip6("::ffff:" + v4), -1), port);
  }

  @Test
  void v1Tcp4LineIsExactlyAsTheSpecWritesIt() {
    byte[] line = ProxyHeaderWriter.v1(CLIENT4, BACKEND4);
    assertThat(new String(line, StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP4 203.0.113.7 10.0.0.5 51234 5432\r\n");
    Info i = roundTrip(line);
    assertThat(i.clientAddress()).contains(CLIENT4);
    assertThat(i.destination()).isEqualTo(BACKEND4);
  }

  @Test
  void v1Tcp6LineUsesCompressedAddresses() {
    byte[] line = ProxyHeaderWriter.v1(CLIENT6, BACKEND6);
    assertThat(new String(line, StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP6 2001:db8::7 2001:db8::1 40000 5432\r\n");
    assertThat(roundTrip(line).clientAddress()).contains(CLIENT6);
  }

  @Test
  void v1MixedFamiliesBecomeTcp6WithTheIpv4AddressMapped() {
    byte[] line = ProxyHeaderWriter.v1(CLIENT4, BACKEND6);
    assertThat(new String(line, StandardCharsets.US_ASCII))
        .isEqualTo("PROXY TCP6 ::ffff:203.0.113.7 2001:db8::1 51234 5432\r\n");
    Info i = roundTrip(line);
    assertThat(i.family()).isEqualTo(Family.TCP6);
    assertThat(i.clientAddress()).contains(CLIENT4);
  }

  @Test
  void aMappedClientOnADualStackSocketIsWrittenAsIpv4() throws Exception {
    byte[] line = ProxyHeaderWriter.v1(mapped("203.0.113.7", 51234), BACKEND4);
    assertThat(new String(line, StandardCharsets.US_ASCII)).startsWith("PROXY TCP4 203.0.113.7 ");
    assertThat(roundTrip(ProxyHeaderWriter.v2(mapped("203.0.113.7", 51234), BACKEND4)).family()).isEqualTo(Family.TCP4);
  }

  @Test
  void v1WithoutAClientAddressIsUnknown() {
    assertThat(new String(ProxyHeaderWriter.v1(null, BACKEND4), StandardCharsets.US_ASCII)).isEqualTo("PROXY UNKNOWN\r\n");
    assertThat(roundTrip(ProxyHeaderWriter.v1(null, null)).family()).isEqualTo(Family.UNKNOWN_V1);
  }

  @Test
  void v2Tcp4RoundTrips() {
    byte[] h = ProxyHeaderWriter.v2(CLIENT4, BACKEND4);
    assertThat(h).hasSize(28);
    assertThat(h[12]).isEqualTo((byte) 0x21);
    assertThat(h[13]).isEqualTo((byte) 0x11);
    Info i = roundTrip(h);
    assertThat(i.command()).isEqualTo(Command.PROXY);
    assertThat(i.clientAddress()).contains(CLIENT4);
    assertThat(i.destination()).isEqualTo(BACKEND4);
  }

  @Test
  void v2Tcp6AndMixedRoundTrip() {
    Info six = roundTrip(ProxyHeaderWriter.v2(CLIENT6, BACKEND6));
    assertThat(six.family()).isEqualTo(Family.TCP6);
    assertThat(six.clientAddress()).contains(CLIENT6);
    Info mixed = roundTrip(ProxyHeaderWriter.v2(CLIENT4, BACKEND6));
    assertThat(mixed.family()).isEqualTo(Family.TCP6);
    assertThat(mixed.clientAddress()).contains(CLIENT4);
    assertThat(mixed.destination()).isEqualTo(BACKEND6);
  }

  @Test
  void v2WithoutAClientAddressIsLocalUnspec() {
    byte[] h = ProxyHeaderWriter.v2(null, BACKEND4);
    assertThat(h).hasSize(16);
    Info i = roundTrip(h);
    assertThat(i.command()).isEqualTo(Command.LOCAL);
    assertThat(i.family()).isEqualTo(Family.UNSPEC);
    assertThat(i.clientAddress()).isEmpty();
  }

  @Test
  void v2TlvsAndChecksumRoundTrip() {
    byte[] h = ProxyHeaderWriter.v2(CLIENT4, BACKEND4,
        List.of(Tlv.of(0x02, "db.example.com"), Tlv.of(0x05, "req-42"), new Tlv(0xE3, new byte[] {1})), Checksum.CRC32C);
    Info i = roundTrip(h);
    assertThat(i.authority()).isEqualTo("db.example.com");
    assertThat(i.uniqueIdText()).isEqualTo("req-42");
    assertThat(i.otherTlvTypes()).containsExactly(0xE3);
    byte[] zeroed = h.clone();
    for (int k = h.length - 4; k < h.length; k++) {
      zeroed[k] = 0;
    }
    long crc = V2Bytes.crc32c(zeroed);
    assertThat(h[h.length - 4] & 0xFF).as("network byte order").isEqualTo((int) (crc >>> 24));
    h[20] ^= 1;
    assertThat(peek(h).reason()).startsWith("v2 CRC32C mismatch");
  }

  @Test
  void theLocalHeaderCarriesTlvsToo() {
    Info i = roundTrip(ProxyHeaderWriter.v2(null, null, List.of(Tlv.of(0x05, "hc")), Checksum.CRC32C));
    assertThat(i.command()).isEqualTo(Command.LOCAL);
    assertThat(i.uniqueIdText()).isEqualTo("hc");
  }

  @Test
  void unresolvedAddressesAndOversizedHeadersAreRefused() {
    InetSocketAddress unresolved = InetSocketAddress.createUnresolved("db.example.com", 5432);
    assertThatThrownBy(() -> ProxyHeaderWriter.v2(CLIENT4, unresolved)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unresolved");
    assertThatThrownBy(() -> ProxyHeaderWriter.v1(unresolved, BACKEND4)).isInstanceOf(IllegalArgumentException.class);
    Tlv big = new Tlv(0xE0, new byte[65535]);
    assertThatThrownBy(() -> ProxyHeaderWriter.v2(CLIENT4, BACKEND4, List.of(big), Checksum.NONE))
        .hasMessageContaining("len is at most 65535");
    assertThatThrownBy(() -> new Tlv(0x03, new byte[4])).hasMessageContaining("Checksum.CRC32C");
    assertThatThrownBy(() -> new Tlv(256, new byte[0])).hasMessageContaining("not one byte");
  }

  @Test
  void aTlvKeepsItsOwnCopyOfTheValue() {
    byte[] v = {1, 2};
    Tlv t = new Tlv(0xE0, v);
    v[0] = 9;
    t.value()[1] = 9;
    assertThat(t).isEqualTo(new Tlv(0xE0, new byte[] {1, 2})).hasToString("Tlv(0xe0, 0102)");
  }

  @Test
  void theWrittenHeaderFitsTheDefaultCap() throws Exception {
    InetSocketAddress c = new InetSocketAddress(InetAddress.getByName("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 65535);
    byte[] v1 = ProxyHeaderWriter.v1(c, c);
    assertThat(v1.length).isLessThanOrEqualTo(V1Line.MAX_LINE);
    assertThat(roundTrip(v1).clientAddress()).contains(c);
  }
}
