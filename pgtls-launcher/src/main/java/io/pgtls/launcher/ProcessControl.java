package io.pgtls.launcher;

import io.pgtls.PgTlsProxy;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * How a running pgtls is told, from outside, to reload or to stop: by signals in the real process
 * ({@link JdkSignals}), by direct calls in tests.
 */
interface ProcessControl {
  /** Runs {@code action} on each reload request (SIGHUP). The action must return quickly. */
  void onReload(Runnable action);

  /**
   * Runs {@code action} once on a stop request (SIGTERM, SIGINT); it drains and closes the proxy.
   * After it returns the process ends with status 0.
   */
  void onStop(Runnable action);

  /** Told once the proxy and the admin endpoint (if any) are up. */
  default void running(PgTlsProxy proxy, Optional<InetSocketAddress> admin) {}

  /** Withdraws the actions; the proxy has stopped by itself. */
  void close();
}
