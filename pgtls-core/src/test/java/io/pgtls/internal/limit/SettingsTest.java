package io.pgtls.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The limits' values: defaults a busy application never reaches, and values that cannot work refused by name. */
class SettingsTest {
  @Test
  void defaultsAreThePlannedValues() {
    assertThat(SourceLimits.Settings.DEFAULTS)
        .isEqualTo(new SourceLimits.Settings(1_000, 200, 1_000, 100, 200, 4_096));
  }

  @Test
  void zeroIsNoLimitForTheCapsButNotForTheRates() {
    new SourceLimits.Settings(0, 1, 1, 1, 1, 0);
    assertThatThrownBy(() -> new SourceLimits.Settings(0, 0, 1, 1, 1, 0))
        .hasMessageStartingWith("handshakesPerSecond must be more than 0");
    assertThatThrownBy(() -> new SourceLimits.Settings(0, 1, 1, 0, 1, 0))
        .hasMessageStartingWith("cancelsPerSecond must be more than 0");
  }

  @Test
  void outOfRangeValuesAreNamed() {
    assertThatThrownBy(() -> new SourceLimits.Settings(-1, 1, 1, 1, 1, 0))
        .hasMessageStartingWith("maxConnectionsPerSource must be 0 (no limit) or more");
    assertThatThrownBy(() -> new SourceLimits.Settings(0, 1, 1, 1, 1, -1))
        .hasMessageStartingWith("maxPendingConnections must be 0 (no limit) or more");
    assertThatThrownBy(() -> new SourceLimits.Settings(0, 1, 0, 1, 1, 0))
        .hasMessageStartingWith("handshakeBurst must be at least 1");
    assertThatThrownBy(() -> new SourceLimits.Settings(0, 1, 1, 1, 0, 0))
        .hasMessageStartingWith("cancelBurst must be at least 1");
    assertThatThrownBy(() -> new SourceLimits.Settings(0, Double.POSITIVE_INFINITY, 1, 1, 1, 0))
        .hasMessageContaining("handshakesPerSecond");
  }
}
