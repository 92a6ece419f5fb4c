package io.pgtls.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpLiteralTest {
  @Test
  void dottedQuadsAreReadStrictly() {
    assertThat(IpLiteral.v4Bytes("203.0.113.7")).containsExactly(203, 0, 113, 7);
    assertThat(IpLiteral.v4Bytes("0.0.0.0")).containsExactly(0, 0, 0, 0);
    assertThat(IpLiteral.v4Bytes("255.255.255.255")).containsExactly(255, 255, 255, 255);
    for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.4.", ".1.2.3", "256.1.1.1", "1.2.3.-4",
        "1.2.3.4 ", "a.b.c.d", "1.2.3.1000", "١.2.3.4"}) {
      assertThat(IpLiteral.v4Bytes(bad)).as(bad).isNull();
    }
  }

  @Test
  void leadingZerosInADottedQuadAreRefusedAsOctalLookalikes() {
    assertThat(IpLiteral.v4Bytes("010.0.0.1")).isNull();
    assertThat(IpLiteral.v4Bytes("10.0.0.01")).isNull();
    assertThat(IpLiteral.v4Bytes("10.0.00.1")).isNull();
  }

  @Test
  void ipv6TextIsReadWithoutLookingNamesUp() {
    assertThat(IpLiteral.v6Bytes("::1")).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    assertThat(IpLiteral.v6Bytes("2001:DB8::7")).containsExactly(0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7);
    assertThat(IpLiteral.v6Bytes("::ffff:10.1.2.3")).as("mapped keeps its sixteen bytes")
        .containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 2, 3);
    for (String bad : new String[] {"", "localhost", "db.example.com", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9",
        "1::2::3", "12345::", ":::", "::ffff:010.1.2.3", "::1.2.3", "g::1", "1.2.3.4"}) {
      assertThat(IpLiteral.v6Bytes(bad)).as(bad).isNull();
    }
  }

  @Test
  void canonicalTextFollowsRfc5952() throws Exception {
    assertThat(format("2001:0DB8:0:0:0:0:0:1")).isEqualTo("2001:db8::1");
    assertThat(format("::")).isEqualTo("::");
    assertThat(format("::1")).isEqualTo("::1");
    assertThat(format("1:0:0:2:0:0:0:3")).as("the longest zero run").isEqualTo("1:0:0:2::3");
    assertThat(format("1:0:0:2:3:0:0:4")).as("the first of equal runs").isEqualTo("1::2:3:0:0:4");
    assertThat(format("1:0:2:3:4:5:6:7")).as("one zero group stays").isEqualTo("1:0:2:3:4:5:6:7");
    assertThat(format("::ffff:10.1.2.3")).isEqualTo("::ffff:10.1.2.3");
    assertThat(IpLiteral.format(InetAddress.getByName("192.0.2.1").getAddress())).isEqualTo("192.0.2.1");
  }

  private static String format(String v6) {
    return IpLiteral.format(IpLiteral.v6Bytes(v6));
  }
}
