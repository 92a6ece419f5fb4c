package io.pgtls.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxy-wide cap on connections in startup and handshake, and releasing a place exactly once. */
class PendingSlotTest {
  private final FakeClock clock = new FakeClock();

  @Test
  void theCapRefusesTheNextConnectionAndCountsIt() {
    SourceLimits limits = new SourceLimits(withPending(2), clock);
    PendingSlot a = limits.tryEnterPending();
    PendingSlot b = limits.tryEnterPending();
    PendingSlot c = limits.tryEnterPending();
    assertThat(a.acquired()).isTrue();
    assertThat(b.acquired()).isTrue();
    assertThat(c.acquired()).isFalse();
    assertThat(limits.pending()).isEqualTo(2);
    assertThat(limits.refusals()).containsEntry("pending_connections", 1L);
    a.release();
    assertThat(limits.tryEnterPending().acquired()).isTrue();
  }

  @Test
  void releasingTwiceDoesNotFreeAnotherConnectionsPlace() {
    SourceLimits limits = new SourceLimits(withPending(2), clock);
    PendingSlot a = limits.tryEnterPending();
    limits.tryEnterPending();
    a.release();
    a.release();
    assertThat(limits.pending()).isEqualTo(1);
    assertThat(limits.tryEnterPending().acquired()).isTrue();
    assertThat(limits.tryEnterPending().acquired()).as("still a cap of 2").isFalse();
  }

  @Test
  void releasingARefusedSlotFreesNothing() {
    SourceLimits limits = new SourceLimits(withPending(1), clock);
    limits.tryEnterPending();
    PendingSlot refused = limits.tryEnterPending();
    refused.release();
    refused.release();
    assertThat(limits.pending()).isEqualTo(1);
    assertThat(refused).hasToString("PendingSlot[refused]");
  }

  @Test
  void zeroMeansNoPendingLimit() {
    SourceLimits limits = new SourceLimits(withPending(0), clock);
    List<PendingSlot> slots = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      slots.add(limits.tryEnterPending());
    }
    assertThat(slots).allMatch(PendingSlot::acquired);
    slots.forEach(PendingSlot::release);
    assertThat(limits.pending()).isZero();
    assertThat(slots.get(0)).hasToString("PendingSlot[released]");
  }

  private static SourceLimits.Settings withPending(int max) {
    return new SourceLimits.Settings(0, 10, 3, 5, 2, max);
  }
}
