package io.pgtls.launcher;

import io.pgtls.PgTlsProxy;
import io.pgtls.launcher.config.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the proxy's certificates on its own thread ({@code pgtls-reload}), never on a signal
 * handler, file watcher or proxy loop thread. Requests that arrive while one is queued are folded
 * into it. A route whose new files cannot be loaded keeps its previous material; the log says why.
 */
final class CertificateReloader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateReloader.class);

  private final PgTlsProxy proxy;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pgtls-reload");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean queued = new AtomicBoolean();
  private final CountDownLatch proxyStarted = new CountDownLatch(1);

  CertificateReloader(PgTlsProxy proxy) {
    this.proxy = proxy;
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

  /** Lets requests run: the proxy has started. */
  void proxyStarted() {
    proxyStarted.countDown();
  }

  /** Reloads every {@code interval}, the first time one interval from now. */
  void every(Duration interval) {
    long millis = interval.toMillis();
    executor.scheduleWithFixedDelay(() -> reloadNow(ReloadTrigger.INTERVAL), millis, millis, TimeUnit.MILLISECONDS);
    log.info("certificates reload every {} (cert_refresh_interval)", Durations.format(interval));
  }

  private void reloadNow(ReloadTrigger trigger) {
    try {
      log.info("reloading certificates: {}", trigger.description());
      Map<String, String> kept = proxy.reloadCertificates();
      for (String route : proxy.routeNames()) {
        String reason = kept.get(route);
        if (reason == null) {
          log.info("route '{}': new connections use the reloaded certificates", route);
        } else {
          log.warn("route '{}': certificates not reloaded, the previous ones stay in service: {}", route, reason);
        }
      }
    } catch (RuntimeException e) {
      log.error("certificate reload failed; the previous certificates stay in service", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
