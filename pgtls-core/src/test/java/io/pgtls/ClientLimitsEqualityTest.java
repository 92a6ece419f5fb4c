package io.pgtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** {@link ClientLimits} equality, rates included: every limit counts, and the doubles stay consistent. */
class ClientLimitsEqualityTest {
  private static ClientLimits limits() {
    return ClientLimits.defaults().maxConnectionsPerSource(50).maxPendingConnections(100).handshakesPerSource(20.5, 40)
        .cancelsPerSource(5, 10);
  }

  @TestFactory
  Stream<DynamicTest> limitsCountEveryField() {
    return EqualityTable.of(ClientLimits.class, ClientLimitsEqualityTest::limits)
        .same("in another order", () -> ClientLimits.defaults().cancelsPerSource(5.0, 10).handshakesPerSource(20.5, 40)
            .maxPendingConnections(100).maxConnectionsPerSource(50))
        .differs("maxConnectionsPerSource", "51", () -> limits().maxConnectionsPerSource(51))
        .differs("maxPendingConnections", "0 (no limit)", () -> limits().maxPendingConnections(0))
        .differs("handshakesPerSecond", "20.25", () -> limits().handshakesPerSource(20.25, 40))
        .differs("handshakeBurst", "41", () -> limits().handshakesPerSource(20.5, 41))
        .differs("cancelsPerSecond", "5.5", () -> limits().cancelsPerSource(5.5, 10))
        .differs("cancelBurst", "11", () -> limits().cancelsPerSource(5, 11))
        .tests();
  }

  @Test
  void theDefaultsEqualTheDefaultsSpeltOut() {
    assertThat(ClientLimits.defaults().maxConnectionsPerSource(1_000).maxPendingConnections(4_096)
        .handshakesPerSource(200, 1_000).cancelsPerSource(100, 200)).isEqualTo(ClientLimits.defaults());
  }

  @Test
  void aNanRateEqualsItselfSoASetFindsIt() {
    // With == on doubles, NaN != NaN: equals would not be reflexive and a set would lose the value.
    ClientLimits nan = limits().handshakesPerSource(Double.NaN, 40);
    assertThat(nan).isEqualTo(limits().handshakesPerSource(Double.NaN, 40));
    Set<ClientLimits> set = new HashSet<>(Set.of(nan));
    assertThat(set).contains(nan);
  }

  @Test
  void negativeZeroAndZeroRatesAreUnequalSoTheirHashCodesMayDiffer() {
    // With == they would be equal while Double.hashCode tells them apart.
    ClientLimits zero = limits().cancelsPerSource(0.0, 10);
    ClientLimits negativeZero = limits().cancelsPerSource(-0.0, 10);
    assertThat(zero).isNotEqualTo(negativeZero);
  }
}
