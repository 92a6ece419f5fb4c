package io.pgtls.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrSetTest {
  @Test
  void anAddressInAnyRangeIsInTheSet() throws Exception {
    CidrSet set = CidrSet.parse(List.of("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"));
    assertThat(set.contains(InetAddress.getByName("10.2.3.4"))).isTrue();
    assertThat(set.contains(InetAddress.getByName("2001:db8::5"))).isTrue();
    assertThat(set.contains(InetAddress.getByName("192.0.2.7"))).isTrue();
    assertThat(set.contains(InetAddress.getByName("192.0.2.8"))).isFalse();
    assertThat(set).hasToString("[10.0.0.0/8, 2001:db8::/32, 192.0.2.7/32]");
  }

  @Test
  void theEmptySetTrustsNoOne() throws Exception {
    CidrSet none = CidrSet.parse(List.of());
    assertThat(none.isEmpty()).isTrue();
    assertThat(none.contains(InetAddress.getByName("127.0.0.1"))).isFalse();
  }

  @Test
  void aBadEntryIsNamedByPositionAndText() {
    assertThatThrownBy(() -> CidrSet.parse(List.of("10.0.0.0/8", "172.16.0.1/12")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("entry 2: '172.16.0.1/12' has host bits set; did you mean 172.16.0.0/12?");
    assertThatThrownBy(() -> CidrSet.parse(java.util.Arrays.asList("10.0.0.0/8", null)))
        .hasMessage("entry 2 is missing");
  }
}
