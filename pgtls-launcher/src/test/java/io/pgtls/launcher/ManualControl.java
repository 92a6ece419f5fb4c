package io.pgtls.launcher;

import io.pgtls.PgTlsProxy;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Stands in for the process's signals in in-process runs: reload() is SIGHUP, stop() is SIGTERM. */
class ManualControl implements ProcessControl {
  /** What a running command exposes to the test. */
  record Running(PgTlsProxy proxy, Optional<InetSocketAddress> admin) {}

  final CompletableFuture<Running> running = new CompletableFuture<>();
  private volatile Runnable reload;
  private volatile Runnable stop;

  @Override
  public void onReload(Runnable action) {
    reload = action;
  }

  @Override
  public void onStop(Runnable action) {
    stop = action;
  }

  @Override
  public void running(PgTlsProxy proxy, Optional<InetSocketAddress> admin) {
    running.complete(new Running(proxy, admin));
  }

  @Override
  public void close() {}

  void reload() {
    reload.run();
  }

  /** Drains and stops; blocks like the shutdown hook does. */
  void stop() {
    stop.run();
  }
}
