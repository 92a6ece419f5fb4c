package io.pgtls.internal.limit;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The proxy-wide limits that keep one client, or a flood, from starving the rest, shared by all
 * selector loops: connections open at once per source address, connections in the startup and
 * handshake phases at once across the proxy, and handshakes and CancelRequests per second per
 * source address (token buckets).
 *
 * <p>The table of addresses is a {@link ConcurrentHashMap}; every change to an address's entry is
 * made inside {@code compute} for that address, so there is no global lock. An address is
 * forgotten when it has no open connection and its buckets are full again: at its last close if
 * they already are, otherwise at a later {@link #sweep()}, which the owner calls periodically
 * (once a second is plenty). A scan of many addresses therefore leaves nothing behind for long.
 *
 * <p>The table is also bounded: once it holds {@code maxTrackedSources} addresses, a new address
 * is still counted (its connections and the per-source cap work as always) but is forgotten as
 * soon as its last connection closes, full buckets or not. The trade-off: beyond that many
 * distinct addresses, a new address's handshake and cancel rates are limited only while it keeps
 * a connection open (it starts each time with full buckets), so a flood from that many addresses
 * is held back by the pending cap rather than by the per-source rates; in exchange, memory stays
 * at most {@code maxTrackedSources} idle entries plus one per open connection.
 */
public final class SourceLimits {
  /** The default bound on addresses remembered while idle. */
  public static final int MAX_TRACKED_SOURCES = 100_000;

  /**
   * The limits' values.
   *
   * @param maxConnectionsPerSource connections open at once from one address; 0 means no limit
   * @param handshakesPerSecond new connections (handshakes) a second from one address
   * @param handshakeBurst handshakes one address may start at once after being quiet
   * @param cancelsPerSecond CancelRequests forwarded a second for one address
   * @param cancelBurst CancelRequests one address may send at once after being quiet
   * @param maxPendingConnections connections in the startup and handshake phases at once across
   *     the proxy; 0 means no limit
   */
  public record Settings(int maxConnectionsPerSource, double handshakesPerSecond, int handshakeBurst,
      double cancelsPerSecond, int cancelBurst, int maxPendingConnections) {
    /** Values a single busy application never reaches. */
    public static final Settings DEFAULTS = new Settings(1_000, 200, 1_000, 100, 200, 4_096);

    /** @throws IllegalArgumentException naming the first value out of range */
    public Settings {
      if (maxConnectionsPerSource < 0) {
        throw new IllegalArgumentException("maxConnectionsPerSource must be 0 (no limit) or more, not "
            + maxConnectionsPerSource);
      }
      if (maxPendingConnections < 0) {
        throw new IllegalArgumentException("maxPendingConnections must be 0 (no limit) or more, not "
            + maxPendingConnections);
      }
      TokenBucket.requireValid("handshakesPerSecond", handshakesPerSecond, "handshakeBurst", handshakeBurst);
      TokenBucket.requireValid("cancelsPerSecond", cancelsPerSecond, "cancelBurst", cancelBurst);
    }
  }

  private final Settings settings;
  private final LongSupplier nanoTime;
  private final int maxTrackedSources;
  private final ConcurrentHashMap<InetAddress, SourceEntry> sources = new ConcurrentHashMap<>();
  private final PendingCap pending;
  private final RefusalCounters refusals = new RefusalCounters();

  /** Limits with {@code settings}, timing the buckets with {@code nanoTime} ({@code System::nanoTime}). */
  public SourceLimits(Settings settings, LongSupplier nanoTime) {
    this(settings, nanoTime, MAX_TRACKED_SOURCES);
  }

  SourceLimits(Settings settings, LongSupplier nanoTime, int maxTrackedSources) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    if (maxTrackedSources < 1) {
      throw new IllegalArgumentException("maxTrackedSources must be at least 1, not " + maxTrackedSources);
    }
    this.maxTrackedSources = maxTrackedSources;
    this.pending = new PendingCap(settings.maxPendingConnections());
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Counts a new connection against {@code address} (normalised by {@link SourceAddress}) until
   * the returned handle is closed. Called once per connection, as soon as its source is known
   * (the TCP peer, or the PROXY header's). Whether it is over the per-source cap is decided here.
   */
  public Source open(InetAddress address) {
    InetAddress key = SourceAddress.normalise(Objects.requireNonNull(address, "address"));
    int[] count = new int[1];
    SourceEntry entry = sources.compute(key, (k, e) -> {
      SourceEntry s = e != null ? e : new SourceEntry(settings, nanoTime, sources.size() < maxTrackedSources);
      count[0] = s.opened();
      return s;
    });
    int max = settings.maxConnectionsPerSource();
    return new Source(this, key, entry, max > 0 && count[0] > max);
  }

  /** From {@link Source#close()}, once per handle. */
  void closed(InetAddress key, SourceEntry entry) {
    sources.computeIfPresent(key, (k, e) -> {
      if (e != entry) {
        throw new IllegalStateException("the table's entry for " + k.getHostAddress() + " is not its open handle's");
      }
      return e.closed() == 0 && (!e.remembered || e.idle()) ? null : e;
    });
  }

  /** From a {@link Source}, when one of its tries is refused. */
  void refused(LimitRefusal reason) {
    refusals.count(reason);
  }

  /**
   * A place among the connections in the startup and handshake phases: {@linkplain
   * PendingSlot#acquired() acquired} unless {@code maxPendingConnections} are pending already
   * (then counted as a {@link LimitRefusal#PENDING} refusal, and the connection is to be closed).
   * Release it when the connection leaves those phases or closes, whichever comes first.
   */
  public PendingSlot tryEnterPending() {
    if (pending.tryEnter()) {
      return new PendingSlot(pending);
    }
    refusals.count(LimitRefusal.PENDING);
    return PendingSlot.REFUSED;
  }

  /**
   * Forgets every address with no open connection whose buckets are full again; returns how many
   * were forgotten. Safe to call from any thread while connections come and go.
   */
  public int sweep() {
    int[] removed = new int[1];
    for (InetAddress key : sources.keySet()) {
      sources.computeIfPresent(key, (k, e) -> {
        if (e.idle()) {
          removed[0]++;
          return null;
        }
        return e;
      });
    }
    return removed[0];
  }

  /** The open connections from {@code address} (normalised) now. */
  public int connections(InetAddress address) {
    SourceEntry e = sources.get(SourceAddress.normalise(address));
    return e == null ? 0 : e.connections();
  }

  /** Connections in the startup and handshake phases now. */
  public int pending() {
    return pending.count();
  }

  /** Addresses in the table now. */
  public int trackedSources() {
    return sources.size();
  }

  /** Refusals so far by {@link LimitRefusal#label()}, every reason present, in the enum's order. */
  public Map<String, Long> refusals() {
    return refusals.snapshot();
  }

  @Override
  public String toString() {
    return "SourceLimits[" + sources.size() + " sources, " + pending + ", " + settings + "]";
  }
}
