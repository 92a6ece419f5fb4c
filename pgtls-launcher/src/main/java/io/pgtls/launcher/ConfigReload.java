package io.pgtls.launcher;

import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.Reconfiguration;
import io.pgtls.launcher.config.ConfigException;
import io.pgtls.launcher.config.PgTlsConfig;
import io.pgtls.launcher.config.ProxyBuilders;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reload of the whole configuration file: read it again, build the core's configuration from
 * it and hand that to {@link PgTlsProxy#reconfigure}. Anything wrong (TOML syntax, an unknown key,
 * a certificate, name or address the core refuses) keeps the running configuration, is logged at
 * ERROR placed at its {@code file:line} exactly as {@code --check} words it, and is counted.
 * Start-only settings that changed are named in a WARN; {@code log_level} applies at once.
 */
final class ConfigReload {
  private static final Logger log = LoggerFactory.getLogger(ConfigReload.class);

  private final ConfigSource source;
  private final PgTlsConfig started;
  private final AtomicReference<PgTlsConfig> current;
  private final PgTlsProxy proxy;
  private final ReloadMetrics metrics;
  private final Consumer<PgTlsConfig> applied;

  /**
   * @param started the configuration the process started with, which the start-only settings keep
   * @param applied told each configuration put in service (to watch the files it names)
   */
  ConfigReload(ConfigSource source, PgTlsConfig started, PgTlsProxy proxy, ReloadMetrics metrics,
      Consumer<PgTlsConfig> applied) {
    this.source = source;
    this.started = started;
    this.current = new AtomicReference<>(started);
    this.proxy = proxy;
    this.metrics = metrics;
    this.applied = applied;
  }

  /** The configuration in service, as written in the file. */
  PgTlsConfig current() {
    return current.get();
  }

  ReloadOutcome run(ReloadTrigger trigger) {
    log.info("reloading the configuration: {}", trigger.description());
    PgTlsConfig read;
    try {
      read = source.read();
    } catch (ConfigException e) {
      return refused(e.getMessage());
    }
    // current holds the configuration as written (port 0 included), which the next pin compares.
    PgTlsConfig next = EphemeralPorts.pin(current.get(), read, this::boundPort);
    Reconfiguration done;
    try {
      done = proxy.reconfigure(ProxyBuilders.builder(next), next.drainTimeout());
    } catch (PgTlsException e) {
      return refused(next.describe(e));
    } catch (IllegalStateException e) {
      log.warn("configuration not reloaded: {}", e.getMessage());
      return ReloadOutcome.notRunning(e.getMessage());
    } catch (RuntimeException e) {
      log.error("configuration reload failed; the running configuration stays", e);
      metrics.failed();
      return ReloadOutcome.failed(e.toString());
    }
    current.set(read);
    metrics.succeeded();
    Logging.apply(next.logLevel());
    String summary = "configuration reloaded: " + done.summary();
    log.info(summary);
    List<String> restartOnly = RestartOnlySettings.changed(started, next);
    if (!restartOnly.isEmpty()) {
      log.warn("{} changed but only apply at start; restart to apply", String.join(", ", restartOnly));
    }
    applied.accept(read);
    return ReloadOutcome.applied(summary);
  }

  private Optional<Integer> boundPort(String route) {
    try {
      return Optional.of(proxy.boundAddress(route).getPort());
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Optional.empty();
    }
  }

  private ReloadOutcome refused(String reason) {
    log.error("configuration not reloaded, the running configuration stays: {}", reason);
    metrics.failed();
    return ReloadOutcome.failed(reason);
  }
}
