package io.pgtls.internal.limit;

import java.util.function.LongSupplier;

/**
 * What {@link SourceLimits} keeps about one address: its open connections and its handshake and
 * cancel buckets. The count changes only inside {@code ConcurrentHashMap.compute} for the
 * address, which serialises the changes; it is volatile for readers outside.
 */
final class SourceEntry {
  final TokenBucket handshakes;
  final TokenBucket cancels;
  /**
   * False for an address first seen while the table was over its cap: it is forgotten as soon as
   * its last connection closes, whatever its buckets hold.
   */
  final boolean remembered;
  private volatile int connections;

  SourceEntry(SourceLimits.Settings settings, LongSupplier nanoTime, boolean remembered) {
    this.handshakes = new TokenBucket(settings.handshakesPerSecond(), settings.handshakeBurst(), nanoTime);
    this.cancels = new TokenBucket(settings.cancelsPerSecond(), settings.cancelBurst(), nanoTime);
    this.remembered = remembered;
  }

  /** One more connection; returns the count with it. Only inside compute for this address. */
  int opened() {
    return ++connections;
  }

  /** One connection fewer; returns the count left. Only inside compute for this address. */
  int closed() {
    return --connections;
  }

  int connections() {
    return connections;
  }

  /** Whether nothing would be lost by forgetting the address: no connection, full buckets. */
  boolean idle() {
    return connections == 0 && handshakes.isFull() && cancels.isFull();
  }

  @Override
  public String toString() {
    return "SourceEntry[" + connections + " connections, handshakes " + handshakes + ", cancels " + cancels
        + (remembered ? "" : ", not remembered") + "]";
  }
}
