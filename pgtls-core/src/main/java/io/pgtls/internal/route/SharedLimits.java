package io.pgtls.internal.route;

import io.pgtls.ClientLimits;
import io.pgtls.internal.limit.RateLimitedLog;
import io.pgtls.internal.limit.SourceLimits;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * What every listener of one proxy counts against together: the proxy-wide session limit, the
 * per-client-address limits with the pending-connection cap, and the log that reports their
 * refusals without letting a flood flood it.
 */
public record SharedLimits(Slots proxySessions, SourceLimits sources, RateLimitedLog floodLog, AtomicLong lastSweep) {
  private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The limits for {@code maxSessions} sessions and {@code clients}, on the system clock. */
  public static SharedLimits of(int maxSessions, ClientLimits clients) {
    SourceLimits.Settings settings = new SourceLimits.Settings(clients.maxConnectionsPerSource(),
        clients.handshakesPerSecond(), clients.handshakeBurst(), clients.cancelsPerSecond(), clients.cancelBurst(),
        clients.maxPendingConnections());
    return new SharedLimits(new Slots(maxSessions), new SourceLimits(settings, System::nanoTime),
        new RateLimitedLog(LoggerFactory.getLogger("io.pgtls.internal.conn.ProxyConnection"), System::nanoTime),
        new AtomicLong(System.nanoTime()));
  }

  /**
   * Forgets idle addresses and writes what the flood log held back, at most once a second: called
   * on every accept, so a quiet proxy does no work and a busy one sweeps as it goes.
   */
  public void sweepIfDue() {
    long now = System.nanoTime();
    long last = lastSweep.get();
    if (now - last >= SWEEP_INTERVAL_NANOS && lastSweep.compareAndSet(last, now)) {
      sources.sweep();
      floodLog.sweep();
    }
  }
}
