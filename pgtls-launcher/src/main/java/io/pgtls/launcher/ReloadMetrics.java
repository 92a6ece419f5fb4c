package io.pgtls.launcher;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Counts reloads of the whole configuration and renders the {@code pgtls_config_*} families of
 * {@code /metrics}. Certificate-only reloads (a command-line configuration, {@code
 * cert_refresh_interval}) are not counted here.
 */
final class ReloadMetrics {
  private final LongSupplier generation;
  private final Clock clock;
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile long lastSuccessSeconds;

  /** {@code generation} reads the proxy's; the configuration read at start counts as the first success. */
  ReloadMetrics(LongSupplier generation, Clock clock) {
    this.generation = generation;
    this.clock = clock;
    this.lastSuccessSeconds = clock.instant().getEpochSecond();
  }

  void succeeded() {
    reloads.incrementAndGet();
    lastSuccessSeconds = clock.instant().getEpochSecond();
  }

  void failed() {
    reloads.incrementAndGet();
    failures.incrementAndGet();
  }

  long reloads() {
    return reloads.get();
  }

  long failures() {
    return failures.get();
  }

  /** The four families in the Prometheus text format, each with its HELP and TYPE lines. */
  String prometheusText() {
    StringBuilder out = new StringBuilder();
    family(out, "pgtls_config_generation", "gauge",
        "The configuration generation in service: 1 as started, one more per applied reload.", generation.getAsLong());
    family(out, "pgtls_config_last_reload_success_timestamp_seconds", "gauge",
        "When the configuration in service was put in service (start or the last applied reload), in seconds since "
        + "the Unix epoch.", lastSuccessSeconds);
    family(out, "pgtls_config_reload_failures_total", "counter",
        "Reloads of the configuration file that were refused; the running configuration stayed.", failures.get());
    family(out, "pgtls_config_reloads_total", "counter",
        "Reloads of the configuration file attempted (SIGHUP, a file change, POST /reload), applied or refused.",
        reloads.get());
    return out.toString();
  }

  private static void family(StringBuilder out, String name, String type, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(value).append('\n');
  }
}
