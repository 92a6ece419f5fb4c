package io.pgtls.launcher.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void theOriginalsDurationFormsAreAccepted() {
    assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(Durations.parse("30min")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse(" 45 s ")).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void mIsMinutesNotMilliseconds() {
    assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void aBareNumberIsSeconds() {
    assertThat(Durations.parse("45")).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void garbageIsRejectedWithTheAcceptedFormat() {
    for (String garbage : new String[] {"soon", "", "10 minutes", "1.5h", "-5s", "10M", "1h30m"}) {
      assertThatThrownBy(() -> Durations.parse(garbage))
          .as(garbage)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("invalid duration \"" + garbage + "\"; write a whole number with a unit");
    }
  }

  @Test
  void overflowIsRejectedNotWrappedAround() {
    assertThatThrownBy(() -> Durations.parse("99999999999999999999d"))
        .hasMessage("duration \"99999999999999999999d\" is too large");
    assertThatThrownBy(() -> Durations.parse("9223372036854775807d"))
        .hasMessage("duration \"9223372036854775807d\" is too large");
  }

  @Test
  void formatIsShort() {
    assertThat(Durations.format(Duration.ofHours(24))).isEqualTo("24h");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
  }
}
