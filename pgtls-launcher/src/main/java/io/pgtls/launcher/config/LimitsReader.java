package io.pgtls.launcher.config;

import io.pgtls.ClientLimits;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the top-level {@code [limits]} table into a {@link LimitsConfig}, rejecting unknown keys and
 * values the core would refuse: negative counts, rates that are not more than 0, bursts below 1,
 * and a rate so slow that an empty bucket of its burst (the default burst, when only the rate is
 * written) would take more than a year to fill again.
 */
final class LimitsReader {
  private static final Set<String> KEYS = Set.of("max_connections_per_source", "max_pending_connections",
      "handshakes_per_second_per_source", "handshake_burst_per_source", "cancels_per_second_per_source",
      "cancel_burst_per_source");
  private static final int MAX_COUNT = 1_000_000;
  /** The core's token buckets take at most one token a nanosecond. */
  private static final double MAX_RATE = 1e9;
  /** The core's token buckets refuse a burst that would take longer than this to refill. */
  private static final long YEAR_NANOS = 365L * 24 * 3600 * 1_000_000_000L;

  private LimitsReader() {}

  static LimitsConfig read(TomlSection limits) throws ConfigException {
    limits.allowOnly(KEYS);
    Optional<Integer> perSource = limits.integer("max_connections_per_source", 0, MAX_COUNT);
    Optional<Integer> pending = limits.integer("max_pending_connections", 0, MAX_COUNT);
    Optional<Double> handshakes = limits.positiveNumber("handshakes_per_second_per_source", MAX_RATE);
    Optional<Integer> handshakeBurst = limits.integer("handshake_burst_per_source", 1, MAX_COUNT);
    Optional<Double> cancels = limits.positiveNumber("cancels_per_second_per_source", MAX_RATE);
    Optional<Integer> cancelBurst = limits.integer("cancel_burst_per_source", 1, MAX_COUNT);
    ClientLimits defaults = ClientLimits.defaults();
    refillsWithinAYear(limits, "handshakes_per_second_per_source", handshakes.orElse(defaults.handshakesPerSecond()),
        "handshake_burst_per_source", handshakeBurst.orElse(defaults.handshakeBurst()));
    refillsWithinAYear(limits, "cancels_per_second_per_source", cancels.orElse(defaults.cancelsPerSecond()),
        "cancel_burst_per_source", cancelBurst.orElse(defaults.cancelBurst()));
    return new LimitsConfig(perSource, pending, handshakes, handshakeBurst, cancels, cancelBurst);
  }

  /** Refuses, as the core's token bucket would, a bucket that would take more than a year to fill. */
  private static void refillsWithinAYear(TomlSection limits, String rateKey, double rate, String burstKey, int burst)
      throws ConfigException {
    long nanosPerToken = Math.max(1, Math.round(1e9 / rate));
    if (nanosPerToken <= YEAR_NANOS / burst) {
      return;
    }
    // The defaults refill in seconds, so one of the two keys is written.
    String at = limits.firstPresent(List.of(rateKey, burstKey)).orElseThrow();
    throw limits.sectionError(at, burstKey + " " + burst + " at " + rateKey + " "
        + BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString() + " would take more than a year to refill; "
        + "raise " + rateKey + " or lower " + burstKey);
  }
}
