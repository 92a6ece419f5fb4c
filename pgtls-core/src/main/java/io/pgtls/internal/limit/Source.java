package io.pgtls.internal.limit;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection's place in {@link SourceLimits}: it counts against its address from {@link
 * SourceLimits#open} until {@link #close()}, and takes that address's handshake and cancel
 * tokens. A connection uses its handle from its own loop; {@link #close()} may be called again,
 * from anywhere, and does nothing the second time.
 */
public final class Source {
  private final SourceLimits limits;
  private final InetAddress address;
  private final SourceEntry entry;
  private final boolean overConnectionLimit;
  private final AtomicBoolean refusalCounted = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  Source(SourceLimits limits, InetAddress address, SourceEntry entry, boolean overConnectionLimit) {
    this.limits = limits;
    this.address = address;
    this.entry = entry;
    this.overConnectionLimit = overConnectionLimit;
  }

  /** The address this connection counts against, normalised ({@link SourceAddress}). */
  public InetAddress address() {
    return address;
  }

  /**
   * Whether opening this connection took its address over {@code maxConnectionsPerSource}:
   * decided once, at open, and the same until close.
   */
  public boolean overConnectionLimit() {
    return overConnectionLimit;
  }

  /**
   * Whether this connection may start a session: false when it is {@linkplain
   * #overConnectionLimit() over the per-source limit}, and then counted once as a {@link
   * LimitRefusal#PER_SOURCE_CONNECTIONS} refusal. Asked when the StartupMessage arrives, so that
   * a CancelRequest on a connection over the limit is not counted as refused.
   */
  public boolean admitSession() {
    if (!overConnectionLimit) {
      return true;
    }
    if (refusalCounted.compareAndSet(false, true)) {
      limits.refused(LimitRefusal.PER_SOURCE_CONNECTIONS);
    }
    return false;
  }

  /**
   * Takes one of the address's handshake tokens before any TLS work: false (counted as a {@link
   * LimitRefusal#HANDSHAKE_RATE} refusal) when the address is over {@code handshakesPerSecond}.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public boolean tryHandshake() {
    return take(entry.handshakes, LimitRefusal.HANDSHAKE_RATE);
  }

  /**
   * Takes one of the address's cancel tokens before a CancelRequest is forwarded: false (counted
   * as a {@link LimitRefusal#CANCEL_RATE} refusal) when the address is over {@code
   * cancelsPerSecond}.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public boolean tryCancel() {
    return take(entry.cancels, LimitRefusal.CANCEL_RATE);
  }

  private boolean take(TokenBucket bucket, LimitRefusal refusal) {
    if (closed.get()) {
      throw new IllegalStateException("this connection's Source is closed: " + this);
    }
    if (bucket.tryTake()) {
      return true;
    }
    limits.refused(refusal);
    return false;
  }

  /** The address's open connections now, this one included until it is closed. */
  public int connections() {
    return entry.connections();
  }

  /** Stops counting this connection against its address; later calls do nothing. */
  public void close() {
    if (closed.compareAndSet(false, true)) {
      limits.closed(address, entry);
    }
  }

  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public String toString() {
    return "Source[" + address.getHostAddress() + ", " + entry.connections() + " connections"
        + (overConnectionLimit ? ", over the per-source limit" : "") + (closed.get() ? ", closed" : "") + "]";
  }
}
