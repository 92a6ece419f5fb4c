package io.pgtls.internal.limit;

import java.util.concurrent.atomic.AtomicInteger;

/** The proxy-wide count of connections in the startup and handshake phases, and its cap. */
final class PendingCap {
  private final int max;
  private final AtomicInteger count = new AtomicInteger();

  /** @param max the most connections pending at once; 0 means no limit */
  PendingCap(int max) {
    this.max = max == 0 ? Integer.MAX_VALUE : max;
  }

  /** One more pending connection, unless there are {@code max} already. */
  boolean tryEnter() {
    while (true) {
      int n = count.get();
      if (n >= max) {
        return false;
      }
      if (count.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  void leave() {
    count.decrementAndGet();
  }

  int count() {
    return count.get();
  }

  @Override
  public String toString() {
    return "PendingCap[" + count.get() + " of " + (max == Integer.MAX_VALUE ? "unlimited" : max) + "]";
  }
}
