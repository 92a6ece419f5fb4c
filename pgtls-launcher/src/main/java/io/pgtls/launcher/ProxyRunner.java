package io.pgtls.launcher;

import io.pgtls.HostPort;
import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.launcher.config.AdminConfig;
import io.pgtls.launcher.config.Durations;
import io.pgtls.launcher.config.IdentityConfig;
import io.pgtls.launcher.config.IdentityConfig.IdentityMap;
import io.pgtls.launcher.config.ListenerConfig;
import io.pgtls.launcher.config.PgTlsConfig;
import io.pgtls.launcher.config.RouteConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a built proxy with what an operator needs around it (admin endpoint, reloads of the
 * configuration and certificates) and keeps it running until a stop request drains it.
 */
final class ProxyRunner {
  private static final Logger log = LoggerFactory.getLogger(ProxyRunner.class);
  /** Quiet time after the last file event before the configuration or certificates reload. */
  static final Duration WATCH_DEBOUNCE = Duration.ofSeconds(1);
  /** How long {@code POST /reload} waits for its reload. */
  static final Duration ADMIN_RELOAD_WAIT = Duration.ofMinutes(2);

  private final PrintStream err;
  private final ProcessControl control;
  private final AtomicReference<ProxyState> state = new AtomicReference<>(ProxyState.STARTING);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopRequested;
  /** Set while the proxy runs; guarded by this. */
  private ProxyReloader reloader;
  /** The watcher on the files of the configuration in service; guarded by this. */
  private CertificateFileWatcher watcher;

  ProxyRunner(PrintStream err, ProcessControl control) {
    this.err = err;
    this.control = control;
  }

  /**
   * Starts {@code proxy}, built from {@code config} as read from {@code source}, and blocks while
   * it runs. Returns {@link ExitCode#OK} after a stop request has drained it, {@link
   * ExitCode#RUNTIME} when it could not start or stopped by itself.
   */
  ExitCode run(ConfigSource source, PgTlsConfig config, PgTlsProxy proxy) throws InterruptedException {
    Optional<String> reloadToken;
    try {
      reloadToken = reloadToken(config);
    } catch (IOException e) {
      err.println("pgtls: [admin] reload_token_file: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return ExitCode.RUNTIME;
    }
    ReloadMetrics reloadMetrics = new ReloadMetrics(proxy::generation, Clock.systemUTC());
    Optional<ConfigReload> configReload = source.file()
        .map(file -> new ConfigReload(source, config, proxy, reloadMetrics, next -> watch(file, next)));
    // SIGHUP's handler goes in before the listeners open: until it is installed the JVM's default
    // action for SIGHUP ends the process, and an operator, a supervisor's reload or a test may signal
    // as soon as a route logs its address. The reloader holds such a request until the proxy runs.
    try (ProxyReloader reloader = new ProxyReloader(proxy, configReload)) {
      control.onReload(() -> reloader.request(ReloadTrigger.SIGHUP));
      try {
        proxy.start();
      } catch (PgTlsException e) {
        control.close();
        err.println(config.describe(e));
        return ExitCode.RUNTIME;
      }
      reloader.proxyStarted();
      // core's start() has logged one line per route with its bound address; it accepts from now on,
      // so /ready answers 200 from the endpoint's first request.
      state.set(ProxyState.ACCEPTING);
      Optional<AdminServer> admin;
      try {
        admin = startAdmin(config.admin(), proxy, reloadMetrics, reloadToken, () -> awaitReload(reloader));
      } catch (IOException e) {
        err.println("pgtls: admin endpoint: cannot listen on " + config.admin().orElseThrow().bindAddress() + ": "
            + (e.getMessage() == null ? e.toString() : e.getMessage()));
        control.close();
        proxy.close();
        return ExitCode.RUNTIME;
      }
      this.reloader = reloader;
      watch(source.file().orElse(null), config);
      source.file().ifPresent(file -> log.info("the configuration reloads on SIGHUP, POST /reload and changes of {} "
          + "or of the files it names", file));
      try {
        shortestRefreshInterval(config).ifPresent(reloader::every);
        control.onStop(() -> drain(proxy,
            configReload.map(ConfigReload::current).orElse(config).drainTimeout()));
        control.running(proxy, admin.map(AdminServer::address));
        proxy.awaitClosed();
        if (!stopRequested) {
          // Closed without a request: the proxy stopped by itself after a fatal failure.
          state.set(ProxyState.STOPPED);
          control.close();
          err.println("pgtls: the proxy stopped unexpectedly: "
              + proxy.failure().map(Throwable::toString).orElse("unknown cause"));
          return ExitCode.RUNTIME;
        }
        stopped.await();
        return ExitCode.OK;
      } finally {
        synchronized (this) {
          this.reloader = null;
          if (watcher != null) {
            watcher.close();
            watcher = null;
          }
        }
        admin.ifPresent(AdminServer::close);
      }
    }
  }

  private static Optional<String> reloadToken(PgTlsConfig config) throws IOException {
    Optional<Path> file = config.admin().flatMap(AdminConfig::reloadTokenFile);
    return file.isPresent() ? Optional.of(ReloadAuthorization.readToken(file.get())) : Optional.empty();
  }

  /** {@code POST /reload}: one reload of its own, waited for. */
  private static ReloadOutcome awaitReload(ProxyReloader reloader) {
    try {
      return reloader.submit(ReloadTrigger.ADMIN).get(ADMIN_RELOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ReloadOutcome.notRunning("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      return ReloadOutcome.failed("the reload did not finish in " + Durations.format(ADMIN_RELOAD_WAIT)
          + "; see the log");
    }
  }

  private Optional<AdminServer> startAdmin(Optional<AdminConfig> config, PgTlsProxy proxy, ReloadMetrics reloadMetrics,
      Optional<String> reloadToken, Supplier<ReloadOutcome> reload) throws IOException {
    if (config.isEmpty()) {
      return Optional.empty();
    }
    AdminServer server = AdminServer.start(config.get().bindAddress(),
        () -> PrometheusText.render(proxy.metrics(), proxy.listenerMetrics(), proxy.limitRefusals())
            + PrometheusText.tlsEngines(proxy.tlsEngines()) + reloadMetrics.prometheusText(),
        state::get, reloadToken, reload);
    log.info("admin endpoint listening on {} (HTTP: /metrics, /health, /ready, POST /reload)",
        HostPort.format(server.address()));
    return Optional.of(server);
  }

  /**
   * (Re)starts the watcher on every file of {@code config} and on {@code configFile} (null for a
   * command-line configuration): called at start and after each applied reload, whose
   * configuration may name other files.
   */
  private synchronized void watch(Path configFile, PgTlsConfig config) {
    if (reloader == null) {
      return; // stopping
    }
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    Set<Path> files = new LinkedHashSet<>();
    if (configFile != null) {
      files.add(configFile);
    }
    files.addAll(certificateFiles(config));
    config.cancelKeySecret().ifPresent(secret -> files.add(secret.file()));
    ProxyReloader r = reloader;
    try {
      watcher = CertificateFileWatcher.start(files, WATCH_DEBOUNCE, () -> r.request(ReloadTrigger.FILE_CHANGE));
    } catch (IOException | RuntimeException e) {
      log.warn("cannot watch the configuration and certificate files ({}); they reload on SIGHUP{} only",
          e.toString(), configFile == null ? " and cert_refresh_interval" : ", POST /reload and cert_refresh_interval");
    }
  }

  /**
   * Every file the core reads again on a certificate reload, so a change to any of them triggers
   * one: each certificate, key and CA file the configuration names, the client certificate
   * revocation lists and the identity map files.
   */
  static Set<Path> certificateFiles(PgTlsConfig config) {
    Set<Path> files = new LinkedHashSet<>();
    for (RouteConfig route : config.routes()) {
      ListenerConfig l = route.listener();
      files.add(l.serverCert());
      files.add(l.serverKey());
      l.clientCertificates().ifPresent(c -> {
        files.add(c.ca());
        files.addAll(c.crls());
      });
      route.identity().flatMap(IdentityConfig::map).flatMap(IdentityMap::file).ifPresent(files::add);
      route.backend().tls().ifPresent(tls -> {
        tls.rootCa().ifPresent(files::add);
        tls.clientCertificate().ifPresent(c -> {
          files.add(c.certificate());
          files.add(c.key());
        });
      });
    }
    return files;
  }

  /** The core reloads every route at once, so the shortest interval of any route applies to all. */
  static Optional<Duration> shortestRefreshInterval(PgTlsConfig config) {
    return config.routes().stream().flatMap(r -> r.listener().certRefreshInterval().stream()).min(Duration::compareTo);
  }

  /** The stop action: not ready, stop accepting, let sessions finish up to the drain time, close. */
  private void drain(PgTlsProxy proxy, Duration drainTimeout) {
    stopRequested = true;
    state.set(ProxyState.DRAINING);
    log.info("stopping: no new connections; live sessions have up to {} (drain_timeout)", Durations.format(drainTimeout));
    try {
      int cut = proxy.shutdown(drainTimeout);
      if (cut == 0) {
        log.info("stopped; every session finished");
      } else {
        log.warn("stopped; {} connection(s) were still open at drain_timeout and were closed", cut);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      proxy.close();
    } finally {
      state.set(ProxyState.STOPPED);
      stopped.countDown();
    }
  }
}
