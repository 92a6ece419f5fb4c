package io.pgtls.internal.route;

import java.util.concurrent.atomic.AtomicInteger;

/** A counting limit shared by threads: take a slot or be told no; give it back once. */
public final class Slots {
  private final int max;
  private final AtomicInteger used = new AtomicInteger();

  /** @param max the number of slots; 0 or less means unlimited */
  public Slots(int max) {
    this.max = max <= 0 ? Integer.MAX_VALUE : max;
  }

  public boolean tryAcquire() {
    while (true) {
      int n = used.get();
      if (n >= max) {
        return false;
      }
      if (used.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  public void release() {
    used.decrementAndGet();
  }

  public int max() {
    return max;
  }
}
