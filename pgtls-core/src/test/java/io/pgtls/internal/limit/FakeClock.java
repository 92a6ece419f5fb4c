package io.pgtls.internal.limit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when a test moves it; safe to read from many threads. */
final class FakeClock implements LongSupplier {
  private final AtomicLong now;

  FakeClock() {
    this(0);
  }

  /** Starts at {@code start}, e.g. near {@code Long.MAX_VALUE} to cross the wrap of nanoTime. */
  FakeClock(long start) {
    now = new AtomicLong(start);
  }

  @Override
  public long getAsLong() {
    return now.get();
  }

  void advance(long amount, TimeUnit unit) {
    now.addAndGet(unit.toNanos(amount));
  }

  void advanceMillis(long millis) {
    advance(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public String toString() {
    return "FakeClock[" + now.get() + " ns]";
  }
}
