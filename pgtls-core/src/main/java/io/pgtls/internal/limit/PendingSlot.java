package io.pgtls.internal.limit;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection's place among the proxy's pending connections (startup and handshake), from
 * {@link SourceLimits#tryEnterPending()}: either {@linkplain #acquired() acquired}, to be released
 * when the connection leaves those phases or closes, or refused. {@link #release()} may be
 * called any number of times, on a refused slot too; only the first release of an acquired slot
 * frees its place.
 */
public final class PendingSlot {
  /** The answer when the cap is reached; releasing it does nothing. */
  static final PendingSlot REFUSED = new PendingSlot(null);

  private final PendingCap cap;
  private final AtomicBoolean released = new AtomicBoolean();

  PendingSlot(PendingCap cap) {
    this.cap = cap;
  }

  /** Whether the connection got a place; false means it is to be closed at once. */
  public boolean acquired() {
    return cap != null;
  }

  /** Gives the place back, once; later calls, and calls on a refused slot, do nothing. */
  public void release() {
    if (cap != null && released.compareAndSet(false, true)) {
      cap.leave();
    }
  }

  @Override
  public String toString() {
    return "PendingSlot[" + (cap == null ? "refused" : released.get() ? "released" : "held") + "]";
  }
}
