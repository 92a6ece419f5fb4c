package io.pgtls.internal.proxy;

import static io.pgtls.internal.proxy.Peeks.ascii;
import static io.pgtls.internal.proxy.Peeks.peek;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.proxy.ProxyHeader.Command;
import io.pgtls.internal.proxy.ProxyHeader.Family;
import io.pgtls.internal.proxy.ProxyHeader.Kind;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import io.pgtls.internal.proxy.ProxyHeader.Versions;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ProxyHeaderV2Test {
  private static final byte[] SSL_REQUEST = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F};

  private static byte[] tcp4() {
    return V2Bytes.tcp4("203.0.113.7", 51234, "10.0.0.5", 6432).build();
  }

  private static void assertInvalid(byte[] b, String reason) {
    Parse p = peek(b);
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    assertThat(p.reason()).isEqualTo(reason);
  }

  @Test
  void v2Tcp4GivesTheClientAndTheAddressItReached() {
    Parse p = peek(tcp4());
    assertThat(p.kind()).isEqualTo(Kind.HEADER);
    assertThat(p.length()).isEqualTo(28);
    assertThat(p.info().version()).isEqualTo(2);
    assertThat(p.info().command()).isEqualTo(Command.PROXY);
    assertThat(p.info().family()).isEqualTo(Family.TCP4);
    assertThat(p.info().clientAddress()).contains(new InetSocketAddress("203.0.113.7", 51234));
    assertThat(p.info().destination()).isEqualTo(new InetSocketAddress("10.0.0.5", 6432));
    assertThat(p.info().otherTlvTypes()).isEmpty();
    assertThat(p.info().describe()).isEqualTo("PROXY v2 TCP4 203.0.113.7:51234 -> 10.0.0.5:6432");
  }

  @Test
  void bytesAfterTheHeaderAreNotPartOfIt() {
    Parse p = peek(V2Bytes.concat(tcp4(), SSL_REQUEST));
    assertThat(p.kind()).isEqualTo(Kind.HEADER);
    assertThat(p.length()).as("the SSLRequest stays for the PostgreSQL side").isEqualTo(28);
  }

  @Test
  void twoHeadersInARowParseOnlyTheFirst() {
    // An AWS NLB prepends its header even when the client sent one: only the first counts, and the
    // second is left to fail as PostgreSQL bytes.
    byte[] spoofed = V2Bytes.tcp4("198.51.100.66", 1, "10.0.0.5", 6432).build();
    Parse p = peek(V2Bytes.concat(tcp4(), spoofed));
    assertThat(p.length()).isEqualTo(28);
    assertThat(p.info().clientAddress()).contains(new InetSocketAddress("203.0.113.7", 51234));
    Parse v1 = peek(V2Bytes.concat(ascii("PROXY TCP4 203.0.113.7 10.0.0.5 1 2\r\n"), spoofed));
    assertThat(v1.length()).isEqualTo(37);
    assertThat(v1.info().clientAddress()).contains(new InetSocketAddress("203.0.113.7", 1));
  }

  @Test
  void aV2HeaderSentOneByteAtATimeIsNeedMoreUntilItsLastByte() {
    byte[] b = V2Bytes.tcp4("203.0.113.7", 51234, "10.0.0.5", 6432).tlv(0x05, "req-1").crc32c().build();
    for (int n = 0; n < b.length; n++) {
      assertThat(peek(b, n).kind()).as("%d bytes", n).isEqualTo(Kind.NEED_MORE);
    }
    assertThat(peek(b).kind()).isEqualTo(Kind.HEADER);
  }

  @Test
  void peekLeavesTheBufferAloneAndReadsFromItsPositionInEitherByteOrder() {
    byte[] h = tcp4();
    ByteBuffer buf = ByteBuffer.allocate(5 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(new byte[] {1, 2, 3, 4, 5}).put(h).put(SSL_REQUEST).flip().position(5);
    Parse p = ProxyHeader.peek(buf, Versions.V2, 100);
    assertThat(p.kind()).isEqualTo(Kind.HEADER);
    assertThat(p.length()).isEqualTo(28);
    assertThat(p.info().source().getPort()).isEqualTo(51234);
    assertThat(buf.position()).isEqualTo(5);
    assertThat(buf.limit()).isEqualTo(5 + h.length + 8);
  }

  @Test
  void v2Tcp6() {
    Parse p = peek(V2Bytes.tcp6("2001:db8::7", 40000, "2001:db8::1", 5432).build());
    assertThat(p.length()).isEqualTo(16 + 36);
    assertThat(p.info().family()).isEqualTo(Family.TCP6);
    assertThat(p.info().clientAddress()).contains(new InetSocketAddress("2001:db8::7", 40000));
    assertThat(p.info().describe()).isEqualTo("PROXY v2 TCP6 [2001:db8::7]:40000 -> [2001:db8::1]:5432");
  }

  @Test
  void v2Tcp6WithAMappedSourceIsTheIpv4Client() {
    Parse p = peek(V2Bytes.tcp6("::ffff:192.0.2.9", 40000, "::ffff:10.0.0.5", 5432).build());
    assertThat(p.info().source().getAddress()).isInstanceOf(Inet4Address.class);
    assertThat(p.info().clientAddress()).contains(new InetSocketAddress("192.0.2.9", 40000));
  }

  @Test
  void v2LocalHasNoClientAddressButKeepsTlvs() {
    // A LOCAL header may still carry the family's addresses; the spec says to discard them.
    byte[] b = V2Bytes.tcp4("203.0.113.7", 51234, "10.0.0.5", 6432).verCmd(0x20).tlv(0x05, "hc-7").build();
    Parse p = peek(b);
    assertThat(p.kind()).isEqualTo(Kind.HEADER);
    assertThat(p.length()).isEqualTo(b.length);
    assertThat(p.info().command()).isEqualTo(Command.LOCAL);
    assertThat(p.info().source()).isNull();
    assertThat(p.info().clientAddress()).isEmpty();
    assertThat(p.info().uniqueIdText()).isEqualTo("hc-7");
    assertThat(p.info().describe()).isEqualTo("LOCAL v2 TCP4 unique_id=hc-7");
  }

  @Test
  void v2LocalUnspecWithoutAddressesIsAHealthCheck() {
    Parse p = peek(V2Bytes.local().build());
    assertThat(p.kind()).isEqualTo(Kind.HEADER);
    assertThat(p.length()).isEqualTo(16);
    assertThat(p.info().clientAddress()).isEmpty();
    assertThat(p.info().describe()).isEqualTo("LOCAL v2 UNSPEC");
  }

  @Test
  void v2UnspecFamily() {
    // PROXY with AF_UNSPEC: "The receiver should ignore address information", even if some is there.
    byte[] b = V2Bytes.local().verCmd(0x21).raw(1, 2, 3, 4).build();
    Parse p = peek(b);
    assertThat(p.kind()).as("bytes after the (empty) address block are read as TLVs").isEqualTo(Kind.INVALID);
    b = V2Bytes.local().verCmd(0x21).tlv(0xE1, new byte[] {1, 2, 3, 4}).build();
    p = peek(b);
    assertThat(p.info().command()).isEqualTo(Command.PROXY);
    assertThat(p.info().family()).isEqualTo(Family.UNSPEC);
    assertThat(p.info().clientAddress()).isEmpty();
    assertThat(p.info().otherTlvTypes()).containsExactly(0xE1);
  }

  @Test
  void v2UnixFamilyHasNoClientAddress() {
    byte[] b = V2Bytes.local().verCmd(0x21).fam(0x31).addresses(new byte[216]).tlv(0x02, "db.example.com").build();
    Parse p = peek(b);
    assertThat(p.length()).isEqualTo(16 + 216 + 3 + 14);
    assertThat(p.info().family()).isEqualTo(Family.UNIX);
    assertThat(p.info().clientAddress()).isEmpty();
    assertThat(p.info().authority()).isEqualTo("db.example.com");
  }

  @Test
  void v2LengthAboveTheCapIsInvalidAtOnce() {
    byte[] b = V2Bytes.tcp4("203.0.113.7", 1, "10.0.0.5", 2).len(4097).build();
    Parse p = peek(b, 16);
    assertThat(p.kind()).as("decided from the 16 fixed bytes").isEqualTo(Kind.INVALID);
    assertThat(p.reason()).isEqualTo("v2 length 4097 above the limit 4096");
    assertThat(peek(V2Bytes.tcp4("203.0.113.7", 1, "10.0.0.5", 2).len(4096).build(), 16).kind())
        .isEqualTo(Kind.NEED_MORE);
    Parse small = ProxyHeader.peek(ByteBuffer.wrap(V2Bytes.tcp4("203.0.113.7", 1, "10.0.0.5", 2).len(65535).build()),
        Versions.V2, 0);
    assertThat(small.reason()).isEqualTo("v2 length 65535 above the limit 0");
  }

  @Test
  void v2LengthShorterThanTheAddressBlockIsInvalidAtOnce() {
    assertThat(peek(V2Bytes.tcp4("203.0.113.7", 1, "10.0.0.5", 2).len(11).build(), 16).reason())
        .isEqualTo("v2 length 11 is shorter than the 12-byte TCP4 address block");
    assertThat(peek(V2Bytes.tcp6("::1", 1, "::1", 2).len(12).build(), 16).reason())
        .isEqualTo("v2 length 12 is shorter than the 36-byte TCP6 address block");
    assertThat(peek(V2Bytes.local().fam(0x31).build()).reason())
        .isEqualTo("v2 length 0 is shorter than the 216-byte UNIX address block");
  }

  @Test
  void v2VersionNibbleOtherThan2IsInvalid() {
    assertInvalid(V2Bytes.local().verCmd(0x11).build(), "v2 signature followed by version 1 (only version 2 exists)");
    assertInvalid(V2Bytes.local().verCmd(0x30).build(), "v2 signature followed by version 3 (only version 2 exists)");
    assertThat(peek(V2Bytes.local().verCmd(0x11).build(), 13).kind()).as("at its 13th byte").isEqualTo(Kind.INVALID);
  }

  @Test
  void v2UnknownCommandIsInvalid() {
    assertInvalid(V2Bytes.local().verCmd(0x23).build(), "v2 unknown command 0x3");
    assertInvalid(V2Bytes.local().verCmd(0x2F).build(), "v2 unknown command 0xf");
    assertThat(peek(V2Bytes.local().verCmd(0x22).build(), 13).kind()).isEqualTo(Kind.INVALID);
  }

  @Test
  void v2DgramIsInvalid() {
    assertInvalid(V2Bytes.tcp4("203.0.113.7", 1, "10.0.0.5", 2).fam(0x12).build(),
        "v2 datagram transport 0x12 (UDP over IPv4): PostgreSQL runs over a stream");
    assertInvalid(V2Bytes.tcp6("::1", 1, "::1", 2).fam(0x22).build(),
        "v2 datagram transport 0x22 (UDP over IPv6): PostgreSQL runs over a stream");
    assertInvalid(V2Bytes.local().fam(0x32).addresses(new byte[216]).build(),
        "v2 datagram transport 0x32 (Unix datagram): PostgreSQL runs over a stream");
    assertThat(peek(V2Bytes.local().fam(0x12).build(), 14).kind()).as("at its 14th byte").isEqualTo(Kind.INVALID);
  }

  @Test
  void v2UnknownFamilyOrTransportIsInvalid() {
    for (int fam : new int[] {0x01, 0x10, 0x13, 0x41, 0xFF}) {
      assertInvalid(V2Bytes.local().fam(fam).build(), String.format("v2 unknown address family and transport 0x%02x", fam));
    }
  }

  @Test
  void aWrongSignatureByteIsInvalidAtThatByte() {
    byte[] b = tcp4();
    for (int i = 1; i < 12; i++) {
      byte[] bad = b.clone();
      bad[i] ^= 0x40;
      assertThat(peek(bad, i).kind()).as("before byte %d", i).isEqualTo(Kind.NEED_MORE);
      assertThat(peek(bad, i + 1).kind()).as("at byte %d", i).isEqualTo(Kind.INVALID);
      assertThat(peek(bad, i + 1).reason()).startsWith("not a PROXY protocol header (first bytes 0d");
    }
  }
}
