package io.pgtls.launcher;

import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.launcher.config.PgTlsConfig;
import io.pgtls.launcher.config.RouteConfig;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a built proxy and keeps it running until the process is asked to stop. */
final class ProxyRunner {
  private static final Logger log = LoggerFactory.getLogger(ProxyRunner.class);
  private final PrintStream err;

  ProxyRunner(PrintStream err) {
    this.err = err;
  }

  /**
   * Starts {@code proxy} and blocks while it runs. On SIGTERM or SIGINT the shutdown hook closes it
   * and ends the process with status 0 itself; this method returns only when the proxy could not
   * start or stopped without being asked to.
   */
  ExitCode run(PgTlsConfig config, PgTlsProxy proxy) throws InterruptedException {
    try {
      proxy.start();
    } catch (PgTlsException e) {
      err.println(e.getMessage());
      return ExitCode.RUNTIME;
    }
    // core's start() has logged one line per route with its bound address.
    CountDownLatch stopRequested = new CountDownLatch(1);
    Thread hook = new Thread(() -> stopOnSignal(proxy, stopRequested), "pgtls-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    proxy.awaitClosed();
    if (stopRequested.getCount() > 0) {
      // Closed without a signal: the proxy stopped by itself after a fatal failure.
      removeHook(hook);
      err.println("pgtls: the proxy stopped unexpectedly: "
          + proxy.failure().map(Throwable::toString).orElse("unknown cause"));
      return ExitCode.RUNTIME;
    }
    return ExitCode.OK;
  }

  private static void stopOnSignal(PgTlsProxy proxy, CountDownLatch stopRequested) {
    stopRequested.countDown();
    log.info("stopping");
    proxy.close();
    // The JVM exits with 128 + the signal number after SIGTERM/SIGINT even when every hook ends
    // cleanly, but a stop on request is a success. Halting skips only other shutdown hooks, and this
    // process registers none (logback.xml declares no shutdownHook; console output is unbuffered).
    Runtime.getRuntime().halt(ExitCode.OK.code());
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Shutdown already began: the hook runs and decides the exit status.
    }
  }

  private static String format(InetSocketAddress address) {
    String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
