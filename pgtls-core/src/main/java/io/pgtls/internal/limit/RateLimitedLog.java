package io.pgtls.internal.limit;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Writes the log lines of {@link SourceLimits}' refusals at WARN, at most one a second for each
 * reason and address, so that a flood cannot flood the log. A line written after some were held
 * back says how many: {@code "... (and 733 more from 127.0.0.2 in the last 1.0 s)"}; what is still
 * held back when an address goes quiet is reported by {@link #sweep()} in a line of its own.
 *
 * <p>Bounded: it keeps at most {@code maxKeys} (reason, address) pairs, about {@value
 * #MAX_KEYS} by default. When they are all in use, refusals from further addresses share one
 * window per reason, "from other addresses", so the log gets at most {@code maxKeys} plus four
 * lines a second however many addresses a flood comes from. Pairs whose second is over are
 * dropped by {@link #sweep()}, which the owner calls periodically and which also runs by itself
 * (at most once a second) when the table is full.
 */
public final class RateLimitedLog {
  /** The default bound on the (reason, address) pairs kept. */
  public static final int MAX_KEYS = 1_000;

  private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

  /** A reason and an address; the address is null for the window shared by other addresses. */
  private record Key(LimitRefusal reason, InetAddress address) {
    String from() {
      return address == null ? "other addresses" : address.getHostAddress();
    }
  }

  /** One key's second: when its last line was written and how many were held back since. */
  private static final class Window {
    boolean written;
    long lastLine;
    long suppressed;
    /** Dropped from the table: a thread that still holds it looks the key up again. */
    boolean dropped;
  }

  private final Logger log;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  private final int maxKeys;
  private final ConcurrentHashMap<Key, Window> windows = new ConcurrentHashMap<>();
  private final AtomicLong lastSweep;

  /** Writes to {@code log}, timing the seconds with {@code nanoTime} ({@code System::nanoTime}). */
  public RateLimitedLog(Logger log, LongSupplier nanoTime) {
    this(log, nanoTime, ONE_SECOND, MAX_KEYS);
  }

  RateLimitedLog(Logger log, LongSupplier nanoTime, long intervalNanos, int maxKeys) {
    this.log = Objects.requireNonNull(log, "log");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    if (intervalNanos <= 0 || maxKeys < 1) {
      throw new IllegalArgumentException("intervalNanos " + intervalNanos + " and maxKeys " + maxKeys
          + " must be positive");
    }
    this.intervalNanos = intervalNanos;
    this.maxKeys = maxKeys;
    this.lastSweep = new AtomicLong(nanoTime.getAsLong());
  }

  /**
   * Writes {@code line} for a refusal of {@code source} for {@code reason}, unless a line for the
   * same pair was written less than a second ago; then it only counts it. {@code line} is called
   * only when a line is written. Returns whether one was.
   */
  public boolean refused(LimitRefusal reason, InetAddress source, Supplier<String> line) {
    long now = nanoTime.getAsLong();
    Key key = new Key(reason, SourceAddress.normalise(source));
    while (true) {
      Window w = window(key, now);
      String held;
      synchronized (w) {
        if (w.dropped) {
          continue;
        }
        if (w.written && now - w.lastLine < intervalNanos) {
          w.suppressed++;
          return false;
        }
        held = w.suppressed == 0 ? "" : String.format(Locale.ROOT, " (and %d more from %s in the last %s)",
            w.suppressed, key.from(), seconds(now - w.lastLine));
        w.written = true;
        w.lastLine = now;
        w.suppressed = 0;
      }
      log.warn("{}{}", line.get(), held);
      return true;
    }
  }

  private Window window(Key key, long now) {
    Window w = windows.get(key);
    if (w != null) {
      return w;
    }
    if (windows.size() >= maxKeys) {
      long last = lastSweep.get();
      if (now - last >= intervalNanos && lastSweep.compareAndSet(last, now)) {
        sweep(now);
      }
      if (windows.size() >= maxKeys) {
        key = new Key(key.reason(), null);
      }
    }
    return windows.computeIfAbsent(key, k -> new Window());
  }

  /**
   * Drops every pair whose last line is a second old or more, first writing a line for those
   * that held some back since ({@code "733 more handshake_rate refusals from 127.0.0.2 in the
   * last 1.4 s"}). Returns how many pairs it dropped.
   */
  public int sweep() {
    long now = nanoTime.getAsLong();
    lastSweep.set(now);
    return sweep(now);
  }

  private int sweep(long now) {
    List<String> lines = new ArrayList<>();
    int[] dropped = new int[1];
    for (Key key : windows.keySet()) {
      windows.computeIfPresent(key, (k, w) -> {
        synchronized (w) {
          if (now - w.lastLine < intervalNanos) {
            return w;
          }
          if (w.suppressed > 0) {
            lines.add(String.format(Locale.ROOT, "%d more %s refusals from %s in the last %s", w.suppressed,
                k.reason().label(), k.from(), seconds(now - w.lastLine)));
          }
          w.dropped = true;
          dropped[0]++;
          return null;
        }
      });
    }
    for (String line : lines) {
      log.warn(line);
    }
    return dropped[0];
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  /** The (reason, address) pairs kept now. */
  int keys() {
    return windows.size();
  }

  @Override
  public String toString() {
    return "RateLimitedLog[" + windows.size() + " of " + maxKeys + " pairs, " + log.getName() + "]";
  }
}
