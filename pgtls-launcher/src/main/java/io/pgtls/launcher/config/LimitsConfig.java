package io.pgtls.launcher.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [limits]} table: limits per client address and on connections still opening,
 * proxy-wide. Each setting left out keeps the core's default ({@code ClientLimits.defaults()});
 * a rate without its burst keeps the default burst, and a burst without its rate the default rate.
 *
 * @param maxConnectionsPerSource {@code max_connections_per_source}: connections open at once from
 *     one client address; 0 means no limit
 * @param maxPendingConnections {@code max_pending_connections}: connections in the startup and TLS
 *     handshake phases at once; 0 means no limit
 * @param handshakesPerSecond {@code handshakes_per_second_per_source}: new connections a second
 *     from one address
 * @param handshakeBurst {@code handshake_burst_per_source}: new connections one address may open at
 *     once after a quiet spell
 * @param cancelsPerSecond {@code cancels_per_second_per_source}: CancelRequests forwarded a second
 *     for one address
 * @param cancelBurst {@code cancel_burst_per_source}: CancelRequests one address may send at once
 */
public record LimitsConfig(Optional<Integer> maxConnectionsPerSource, Optional<Integer> maxPendingConnections,
    Optional<Double> handshakesPerSecond, Optional<Integer> handshakeBurst, Optional<Double> cancelsPerSecond,
    Optional<Integer> cancelBurst) {
  public LimitsConfig {
    Objects.requireNonNull(maxConnectionsPerSource, "maxConnectionsPerSource");
    Objects.requireNonNull(maxPendingConnections, "maxPendingConnections");
    Objects.requireNonNull(handshakesPerSecond, "handshakesPerSecond");
    Objects.requireNonNull(handshakeBurst, "handshakeBurst");
    Objects.requireNonNull(cancelsPerSecond, "cancelsPerSecond");
    Objects.requireNonNull(cancelBurst, "cancelBurst");
  }
}
