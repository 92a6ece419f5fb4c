package io.pgtls.internal.limit;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket shared by threads: it holds up to {@code burst} tokens, starts full and gains
 * {@code ratePerSecond} tokens a second; {@link #tryTake()} takes one or says there is none.
 *
 * <p>Lock-free: the whole state is one {@code AtomicLong}, the clock reading at which the bucket
 * will be full again (the "theoretical arrival time" of the generic cell rate algorithm). Taking a
 * token pushes that reading one token's interval into the future; the bucket is empty when it
 * lies {@code burst} intervals ahead of now. Readings are compared by difference, as {@link
 * System#nanoTime()} requires.
 */
public final class TokenBucket {
  /** The longest time an empty bucket may take to fill again: one year. */
  private static final long MAX_FILL_NANOS = 365L * 24 * 3600 * 1_000_000_000L;

  private final double ratePerSecond;
  private final int burst;
  private final long intervalNanos;
  private final long fillNanos;
  private final LongSupplier nanoTime;
  /** The clock reading at which the bucket is full again; at or before now, it is full. */
  private final AtomicLong fullAt;

  /**
   * @param ratePerSecond tokens gained a second, more than 0 and at most 1e9 (one a nanosecond)
   * @param burst tokens held at most, at least 1
   * @param nanoTime the clock, {@code System::nanoTime} outside tests
   * @throws IllegalArgumentException if the rate or burst is out of range, or an empty bucket
   *     would take more than a year to fill
   */
  public TokenBucket(double ratePerSecond, int burst, LongSupplier nanoTime) {
    requireValid("rate", ratePerSecond, "burst", burst);
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.intervalNanos = intervalNanos(ratePerSecond);
    this.fillNanos = intervalNanos * burst;
    this.nanoTime = nanoTime;
    this.fullAt = new AtomicLong(nanoTime.getAsLong());
  }

  /**
   * Checks a rate and burst as the constructor does, naming them {@code rateName} and {@code
   * burstName} in the exception, so that settings can be checked before any bucket exists.
   */
  static void requireValid(String rateName, double ratePerSecond, String burstName, int burst) {
    if (!(ratePerSecond > 0 && ratePerSecond <= 1e9)) {
      throw new IllegalArgumentException(rateName + " must be more than 0 and at most 1e9 a second, not "
          + ratePerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException(burstName + " must be at least 1, not " + burst);
    }
    if (intervalNanos(ratePerSecond) > MAX_FILL_NANOS / burst) {
      throw new IllegalArgumentException(burstName + " " + burst + " at " + rateName + " " + ratePerSecond
          + " a second would take more than a year to refill");
    }
  }

  private static long intervalNanos(double ratePerSecond) {
    return Math.max(1, Math.round(1e9 / ratePerSecond));
  }

  /** Takes a token: true if there was one, false (and nothing changes) if the bucket is empty. */
  public boolean tryTake() {
    long now = nanoTime.getAsLong();
    while (true) {
      long full = fullAt.get();
      long from = full - now > 0 ? full : now;
      long next = from + intervalNanos;
      if (next - now > fillNanos) {
        return false;
      }
      if (fullAt.compareAndSet(full, next)) {
        return true;
      }
    }
  }

  /** Whether the bucket holds all {@code burst} tokens: no token was taken that has not grown back. */
  public boolean isFull() {
    return fullAt.get() - nanoTime.getAsLong() <= 0;
  }

  /** The whole tokens the bucket holds now. */
  public int available() {
    long owed = fullAt.get() - nanoTime.getAsLong();
    return owed <= 0 ? burst : (int) ((fillNanos - owed) / intervalNanos);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "TokenBucket[%s/s, burst %d, %d available]", rate(), burst, available());
  }

  private String rate() {
    return ratePerSecond == Math.rint(ratePerSecond) ? Long.toString((long) ratePerSecond)
        : Double.toString(ratePerSecond);
  }
}
