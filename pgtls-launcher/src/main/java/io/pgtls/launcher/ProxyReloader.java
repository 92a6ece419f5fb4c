package io.pgtls.launcher;

import io.pgtls.PgTlsProxy;
import io.pgtls.launcher.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs reloads on its own thread ({@code pgtls-reload}), never on a signal handler, file watcher,
 * admin or proxy loop thread, one at a time. A trigger that reads the configuration again (see
 * {@link ReloadTrigger#readsConfiguration}) runs a {@link ConfigReload}; the others reload the
 * certificates only, and a route whose new files cannot be loaded keeps its previous material.
 * Requests that arrive while one is queued are folded into it.
 */
final class ProxyReloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProxyReloader.class);

  private final PgTlsProxy proxy;
  private final Optional<ConfigReload> configReload;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pgtls-reload");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean queued = new AtomicBoolean();
  private final CountDownLatch proxyStarted = new CountDownLatch(1);

  /** {@code configReload} is empty for a configuration from the command line. */
  ProxyReloader(PgTlsProxy proxy, Optional<ConfigReload> configReload) {
    this.proxy = proxy;
    this.configReload = configReload;
  }

  /**
   * Queues a reload; returns at once. A request made before {@link #proxyStarted()} waits for it:
   * SIGHUP's handler is in place before the listeners open, so a signal sent the moment they log
   * their addresses reloads instead of hitting the JVM's default action (ending the process).
   */
  void request(ReloadTrigger trigger) {
    if (queued.compareAndSet(false, true)) {
      executor.execute(() -> {
        try {
          proxyStarted.await();
        } catch (InterruptedException e) {
          return; // closed before the proxy started
        }
        queued.set(false);
        reloadNow(trigger);
      });
    }
  }

  /** Runs one reload of its own (never folded into a queued one) and completes with how it ended. */
  CompletableFuture<ReloadOutcome> submit(ReloadTrigger trigger) {
    CompletableFuture<ReloadOutcome> outcome = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          proxyStarted.await();
          outcome.complete(reloadNow(trigger));
        } catch (InterruptedException e) {
          outcome.complete(ReloadOutcome.notRunning("stopping"));
        } catch (RuntimeException e) {
          outcome.complete(ReloadOutcome.failed(e.toString()));
        }
      });
    } catch (RejectedExecutionException e) {
      outcome.complete(ReloadOutcome.notRunning("stopping"));
    }
    return outcome;
  }

  /** Lets requests run: the proxy has started. */
  void proxyStarted() {
    proxyStarted.countDown();
  }

  /** Reloads the certificates every {@code interval}, the first time one interval from now. */
  void every(Duration interval) {
    long millis = interval.toMillis();
    executor.scheduleWithFixedDelay(() -> reloadNow(ReloadTrigger.INTERVAL), millis, millis, TimeUnit.MILLISECONDS);
    log.info("certificates reload every {} (cert_refresh_interval)", Durations.format(interval));
  }

  private ReloadOutcome reloadNow(ReloadTrigger trigger) {
    if (trigger.readsConfiguration(configReload.isPresent())) {
      return configReload.get().run(trigger);
    }
    return reloadCertificates(trigger);
  }

  private ReloadOutcome reloadCertificates(ReloadTrigger trigger) {
    try {
      log.info("reloading certificates: {}", trigger.description());
      Map<String, String> kept = proxy.reloadCertificates();
      List<String> failed = new ArrayList<>();
      for (String route : proxy.routeNames()) {
        String reason = kept.get(route);
        if (reason == null) {
          log.info("route '{}': new connections use the reloaded certificates", route);
        } else {
          failed.add(route);
          log.warn("route '{}': certificates not reloaded, the previous ones stay in service: {}", route, reason);
        }
      }
      return failed.isEmpty()
          ? ReloadOutcome.applied("certificates reloaded")
          : ReloadOutcome.failed("certificates not reloaded for route(s) " + failed + "; see the log");
    } catch (RuntimeException e) {
      log.error("certificate reload failed; the previous certificates stay in service", e);
      return ReloadOutcome.failed("certificate reload failed: " + e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
