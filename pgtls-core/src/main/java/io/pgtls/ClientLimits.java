package io.pgtls;

import java.util.Objects;

/**
 * Limits that keep one client address, or a flood of connections, from starving everyone else;
 * proxy-wide, counted by the real client address (the PROXY protocol header's where there is
 * one). The defaults are far above what one busy application does; each refusal is logged (at
 * most a line a second per address and reason) and counted in {@link PgTlsProxy#limitRefusals()}.
 * Immutable.
 */
public final class ClientLimits {
  private static final ClientLimits DEFAULTS = new ClientLimits(1_000, 4_096, 200, 1_000, 100, 200);

  private final int maxConnectionsPerSource;
  private final int maxPendingConnections;
  private final double handshakesPerSecond;
  private final int handshakeBurst;
  private final double cancelsPerSecond;
  private final int cancelBurst;

  private ClientLimits(int maxConnectionsPerSource, int maxPendingConnections, double handshakesPerSecond,
      int handshakeBurst, double cancelsPerSecond, int cancelBurst) {
    this.maxConnectionsPerSource = maxConnectionsPerSource;
    this.maxPendingConnections = maxPendingConnections;
    this.handshakesPerSecond = handshakesPerSecond;
    this.handshakeBurst = handshakeBurst;
    this.cancelsPerSecond = cancelsPerSecond;
    this.cancelBurst = cancelBurst;
  }

  /**
   * 1,000 connections at once per client address; 4,096 connections in the startup and TLS
   * handshake phases at once; 200 new connections a second per address with bursts of 1,000; 100
   * CancelRequests a second per address with bursts of 200.
   */
  public static ClientLimits defaults() {
    return DEFAULTS;
  }

  /**
   * Connections open at once from one client address; a session beyond it gets FATAL 53300 {@code
   * sorry, too many clients already} after its StartupMessage. 0: no limit.
   */
  public ClientLimits maxConnectionsPerSource(int max) {
    return new ClientLimits(max, maxPendingConnections, handshakesPerSecond, handshakeBurst, cancelsPerSecond,
        cancelBurst);
  }

  /**
   * Connections in their startup phase (PROXY header, first packet, TLS handshake, up to their
   * StartupMessage or CancelRequest), proxy-wide; a new connection beyond it is closed at once,
   * before any TLS work. 0: no limit.
   */
  public ClientLimits maxPendingConnections(int max) {
    return new ClientLimits(maxConnectionsPerSource, max, handshakesPerSecond, handshakeBurst, cancelsPerSecond,
        cancelBurst);
  }

  /**
   * New connections per second per client address (a token bucket holding {@code burst}); beyond
   * it a connection is closed at once, before any TLS work: the handshake is where the CPU goes.
   */
  public ClientLimits handshakesPerSource(double perSecond, int burst) {
    return new ClientLimits(maxConnectionsPerSource, maxPendingConnections, perSecond, burst, cancelsPerSecond,
        cancelBurst);
  }

  /** CancelRequests forwarded per second per client address; beyond it a cancel is dropped. */
  public ClientLimits cancelsPerSource(double perSecond, int burst) {
    return new ClientLimits(maxConnectionsPerSource, maxPendingConnections, handshakesPerSecond, handshakeBurst,
        perSecond, burst);
  }

  public int maxConnectionsPerSource() {
    return maxConnectionsPerSource;
  }

  public int maxPendingConnections() {
    return maxPendingConnections;
  }

  public double handshakesPerSecond() {
    return handshakesPerSecond;
  }

  public int handshakeBurst() {
    return handshakeBurst;
  }

  public double cancelsPerSecond() {
    return cancelsPerSecond;
  }

  public int cancelBurst() {
    return cancelBurst;
  }

  /**
   * Equal when every limit is. Rates compare as {@link Double#compare} does, as records do: a NaN
   * equals itself (so equality stays reflexive) and {@code -0.0} is not {@code 0.0}, which keeps
   * {@link #hashCode} consistent.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClientLimits c && c.maxConnectionsPerSource == maxConnectionsPerSource
        && c.maxPendingConnections == maxPendingConnections
        && Double.compare(c.handshakesPerSecond, handshakesPerSecond) == 0 && c.handshakeBurst == handshakeBurst
        && Double.compare(c.cancelsPerSecond, cancelsPerSecond) == 0 && c.cancelBurst == cancelBurst;
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxConnectionsPerSource, maxPendingConnections, handshakesPerSecond, handshakeBurst,
        cancelsPerSecond, cancelBurst);
  }

  @Override
  public String toString() {
    return "ClientLimits{perSource=" + maxConnectionsPerSource + " pending=" + maxPendingConnections + " handshakes="
        + handshakesPerSecond + "/s burst " + handshakeBurst + " cancels=" + cancelsPerSecond + "/s burst "
        + cancelBurst + "}";
  }
}
