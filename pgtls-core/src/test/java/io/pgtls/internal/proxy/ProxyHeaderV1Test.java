package io.pgtls.internal.proxy;

import static io.pgtls.internal.proxy.Peeks.ascii;
import static io.pgtls.internal.proxy.Peeks.peek;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.proxy.ProxyHeader.Command;
import io.pgtls.internal.proxy.ProxyHeader.Family;
import io.pgtls.internal.proxy.ProxyHeader.Info;
import io.pgtls.internal.proxy.ProxyHeader.Kind;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ProxyHeaderV1Test {
  private static final String TCP4 = "PROXY TCP4 203.0.113.7 10.0.0.5 51234 6432\r\n";

  private static void assertInvalid(String line, String reasonPart) {
    Parse p = peek(line);
    assertThat(p.kind()).as(line).isEqualTo(Kind.INVALID);
    assertThat(p.reason()).as(line).contains(reasonPart);
  }

  @Test
  void v1Tcp4GivesTheClientAndTheAddressItReached() {
    Parse p = peek(TCP4);
    assertThat(p.kind()).isEqualTo(Kind.HEADER);
    assertThat(p.length()).isEqualTo(TCP4.length());
    Info info = p.info();
    assertThat(info.version()).isEqualTo(1);
    assertThat(info.command()).isEqualTo(Command.PROXY);
    assertThat(info.family()).isEqualTo(Family.TCP4);
    assertThat(info.source()).isEqualTo(new InetSocketAddress("203.0.113.7", 51234));
    assertThat(info.destination()).isEqualTo(new InetSocketAddress("10.0.0.5", 6432));
    assertThat(info.clientAddress()).contains(new InetSocketAddress("203.0.113.7", 51234));
    assertThat(info.describe()).isEqualTo("PROXY v1 TCP4 203.0.113.7:51234 -> 10.0.0.5:6432");
  }

  @Test
  void bytesAfterTheLineAreNotPartOfIt() {
    byte[] withSslRequest = V2Bytes.concat(ascii(TCP4), new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
    Parse p = peek(withSslRequest);
    assertThat(p.kind()).isEqualTo(Kind.HEADER);
    assertThat(p.length()).isEqualTo(TCP4.length());
  }

  @Test
  void v1Tcp6() {
    Parse p = peek("PROXY TCP6 2001:db8::7 2001:db8::1 40000 5432\r\n");
    assertThat(p.info().family()).isEqualTo(Family.TCP6);
    assertThat(p.info().clientAddress()).contains(new InetSocketAddress("2001:db8::7", 40000));
    assertThat(p.info().describe()).isEqualTo("PROXY v1 TCP6 [2001:db8::7]:40000 -> [2001:db8::1]:5432");
  }

  @Test
  void v1Tcp6WithAMappedIpv4AddressAsInetNtopWritesItIsTheIpv4Client() {
    Parse p = peek("PROXY TCP6 ::ffff:192.0.2.9 ::ffff:10.0.0.5 40000 5432\r\n");
    assertThat(p.kind()).isEqualTo(Kind.HEADER);
    assertThat(p.info().source().getAddress()).isInstanceOf(Inet4Address.class);
    assertThat(p.info().clientAddress()).contains(new InetSocketAddress("192.0.2.9", 40000));
  }

  @Test
  void v1UnknownIgnoresTheRestAndHasNoAddress() {
    for (String line : new String[] {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n",
        "PROXY UNKNOWN whatever \u0001\u00ff here\r\n"}) {
      Parse p = peek(line);
      assertThat(p.kind()).as(line).isEqualTo(Kind.HEADER);
      assertThat(p.length()).isEqualTo(line.length());
      assertThat(p.info().family()).isEqualTo(Family.UNKNOWN_V1);
      assertThat(p.info().source()).isNull();
      assertThat(p.info().clientAddress()).isEmpty();
      assertThat(p.info().describe()).isEqualTo("PROXY v1 UNKNOWN");
    }
    assertInvalid("PROXY UNKNOWNX\r\n", "unknown protocol 'UNKNOWNX'");
  }

  @Test
  void v1LongestLegalLineOf107BytesIsAccepted() {
    String f = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    String line = "PROXY UNKNOWN " + f + " " + f + " 65535 65535\r\n";
    assertThat(line).hasSize(107);
    assertThat(peek(line).kind()).isEqualTo(Kind.HEADER);
    String tcp6 = "PROXY TCP6 " + f + " " + f + " 65535 65535\r\n";
    assertThat(peek(tcp6).length()).isEqualTo(104);
  }

  @Test
  void v1LineWithoutCrlfInItsFirst107BytesIsInvalidWithoutWaitingForMore() {
    String f = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
    String longer = "PROXY UNKNOWN " + f + " " + f + " 65535 655350\r\n";
    byte[] b = ascii(longer);
    assertThat(peek(b, 106).kind()).isEqualTo(Kind.NEED_MORE);
    Parse at107 = peek(b, 107);
    assertThat(at107.kind()).as("the CR is byte 107, so the LF would be byte 108").isEqualTo(Kind.INVALID);
    assertThat(at107.reason()).isEqualTo("v1 line longer than 107 bytes without CRLF");
    assertThat(peek(b).kind()).isEqualTo(Kind.INVALID);
    byte[] noCrlf = ascii("PROXY UNKNOWN " + "x".repeat(200));
    assertThat(peek(noCrlf, 107).kind()).isEqualTo(Kind.INVALID);
  }

  @Test
  void v1LoneLfIsInvalid() {
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 51234 6432\n", "lone LF");
    assertInvalid("PROXY UNKNOWN\n", "lone LF");
    assertInvalid("PROXY TCP4 203.0.113.7\n", "lone LF");
  }

  @Test
  void v1LoneCrIsInvalidOnceTheNextByteIsNotLf() {
    assertThat(peek("PROXY UNKNOWN\r").kind()).as("the LF may still come").isEqualTo(Kind.NEED_MORE);
    assertInvalid("PROXY UNKNOWN\rX", "lone CR");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 51234 6432\r\r\n", "lone CR");
  }

  @Test
  void v1LeadingZerosAreInvalid() {
    assertInvalid("PROXY TCP4 203.0.113.07 10.0.0.5 51234 6432\r\n", "v1 bad source address '203.0.113.07'");
    assertInvalid("PROXY TCP4 203.0.113.7 010.0.0.5 51234 6432\r\n", "v1 bad destination address '010.0.0.5'");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 051234 6432\r\n", "v1 bad source port '051234'");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 51234 06432\r\n", "v1 bad destination port '06432'");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 00 6432\r\n", "v1 bad source port '00'");
    assertThat(peek("PROXY TCP4 0.0.0.0 10.0.0.5 0 6432\r\n").info().source())
        .as("zero itself is no leading zero").isEqualTo(new InetSocketAddress("0.0.0.0", 0));
  }

  @Test
  void v1PortsAbove65535AreInvalid() {
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 65536 6432\r\n", "v1 bad source port '65536'");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 1 100000\r\n", "v1 bad destination port '100000'");
  }

  @Test
  void v1FamilyDictatesTheAddressFormat() {
    assertInvalid("PROXY TCP4 2001:db8::7 10.0.0.5 1 2\r\n", "v1 bad source address '2001:db8::7'");
    assertInvalid("PROXY TCP6 203.0.113.7 2001:db8::1 1 2\r\n", "v1 bad source address '203.0.113.7'");
    assertInvalid("PROXY TCP6 2001:db8::7 10.0.0.5 1 2\r\n", "v1 bad destination address '10.0.0.5'");
  }

  @Test
  void v1HostNamesAreInvalidAtOnceNotResolved() {
    Parse p = peek("PROXY TCP4 localhost");
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    assertThat(p.reason()).contains("v1 bad source address 'l");
    assertInvalid("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "v1 bad source address");
    assertInvalid("PROXY TCP6 [::1] ::1 1 2\r\n", "v1 bad source address");
  }

  @Test
  void v1FieldsNeedExactlyOneSpaceAndExactlyFourOfThem() {
    assertThat(peek("PROXY TCP4 203.0.113.7  ").kind()).as("refused before the CRLF").isEqualTo(Kind.INVALID);
    assertInvalid("PROXY TCP4 203.0.113.7  10.0.0.5 1 2\r\n", "exactly one space");
    assertInvalid("PROXY  TCP4 203.0.113.7 10.0.0.5 1 2\r\n", "unknown protocol ''");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 1 2 \r\n", "more than 4 fields");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 1 2 3\r\n", "more than 4 fields");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 1\r\n", "without its destination port");
    assertInvalid("PROXY TCP4 203.0.113.7 10.0.0.5 1 \r\n", "without its destination port");
    assertInvalid("PROXY TCP4 \r\n", "without its source address");
    assertInvalid("PROXY TCP4\r\n", "unknown protocol 'TCP4'");
    assertInvalid("PROXY\tTCP4 203.0.113.7 10.0.0.5 1 2\r\n", "'PROXY' must be followed by a single space");
  }

  @Test
  void v1UnknownProtocolsAreInvalid() {
    assertInvalid("PROXY UDP4 203.0.113.7 10.0.0.5 1 2\r\n", "unknown protocol 'UDP4' (expected TCP4, TCP6 or UNKNOWN)");
    assertInvalid("PROXY tcp4 203.0.113.7 10.0.0.5 1 2\r\n", "unknown protocol 'tcp4'");
    assertThat(peek("PROXY TC").kind()).isEqualTo(Kind.NEED_MORE);
    assertThat(peek("PROXY TX").kind()).isEqualTo(Kind.INVALID);
  }

  @Test
  void aV1LineSentOneByteAtATimeIsNeedMoreUntilItsLastByte() {
    byte[] b = ascii(TCP4);
    for (int n = 0; n < b.length; n++) {
      assertThat(peek(b, n).kind()).as("%d bytes", n).isEqualTo(Kind.NEED_MORE);
    }
    assertThat(peek(b).kind()).isEqualTo(Kind.HEADER);
  }

  @Test
  void v1GarbageIsInvalidBeforeTheCrlf() {
    assertThat(peek("PROXY TCP4 GET / HTTP/1.1").kind()).isEqualTo(Kind.INVALID);
    assertThat(peek("PROXY TCP4 1.2.3.4 5.6.7.8 8o").kind()).isEqualTo(Kind.INVALID);
    assertThat(peek("PROXY TCP6 ::1 ::g").kind()).isEqualTo(Kind.INVALID);
  }

  @Test
  void controlCharactersInAReasonAreEscaped() {
    Parse p = peek("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \u001b[31mred\r\n");
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    p = peek("PROXY \u001b[31m\r\n");
    assertThat(p.reason()).contains("\\u001b[31m").doesNotContain("\u001b");
  }
}
