package io.pgtls.internal.conn;

import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.Timeout;

/**
 * One connection's timer, kept at its stage's deadline. A deadline that moved later (an idle
 * clock reset by traffic) leaves the earlier timer in place: when it fires, the owner checks the
 * deadline again and re-arms, so traffic costs no timer work.
 */
final class DeadlineTimer {
  private final EventLoop loop;
  private final Runnable onFire;
  private Timeout timeout;
  private long due;

  /** @param onFire runs on the loop when the timer fires */
  DeadlineTimer(EventLoop loop, Runnable onFire) {
    this.loop = loop;
    this.onFire = () -> {
      timeout = null;
      onFire.run();
    };
  }

  /** Arms the timer for {@code deadline} (System.nanoTime), or disarms it for {@link Stage#NO_DEADLINE}. */
  void arm(long deadline) {
    if (deadline == Stage.NO_DEADLINE) {
      cancel();
      return;
    }
    if (timeout != null && deadline - due >= 0) {
      return;
    }
    cancel();
    due = deadline;
    timeout = loop.schedule(Math.max(0, deadline - System.nanoTime()), onFire);
  }

  void cancel() {
    if (timeout != null) {
      timeout.cancel();
      timeout = null;
    }
  }

  /** Whether {@code deadline} has passed. */
  static boolean passed(long deadline) {
    return deadline != Stage.NO_DEADLINE && System.nanoTime() - deadline >= 0;
  }
}
