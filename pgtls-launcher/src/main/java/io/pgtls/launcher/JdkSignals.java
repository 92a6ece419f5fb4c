package io.pgtls.launcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The real process's signals. SIGHUP: {@code sun.misc.Signal}, because the JDK has no supported API
 * for any signal other than the shutdown hook (JEP 260 keeps {@code sun.misc.Signal} accessible in
 * the {@code jdk.unsupported} module for exactly this use). SIGTERM and SIGINT: a shutdown hook,
 * which the JVM runs for both.
 */
final class JdkSignals implements ProcessControl {
  private static final Logger log = LoggerFactory.getLogger(JdkSignals.class);
  private static final Signal HUP = hup();

  private Thread hook;

  private static Signal hup() {
    try {
      return new Signal("HUP");
    } catch (IllegalArgumentException e) {
      return null; // no SIGHUP on this platform (Windows)
    }
  }

  @Override
  public void onReload(Runnable action) {
    if (HUP == null) {
      log.debug("SIGHUP does not exist on this platform; certificates reload on file changes and cert_refresh_interval");
      return;
    }
    try {
      // The handler runs on a JVM thread named "SIGHUP handler"; the action only queues the reload.
      SignalHandler previous = Signal.handle(HUP, signal -> action.run());
      if (previous == SignalHandler.SIG_IGN) {
        // JVM quirk: a shutdown signal that was ignored when the JVM started (nohup, or a parent that
        // ignores SIGHUP: children inherit it) stays ignored. JVM_RegisterSignal installs nothing
        // and hands back SIG_IGN, where nginx or PostgreSQL would take the signal over.
        log.warn("SIGHUP is ignored in this process (started under nohup, or by a parent that ignores it) and the"
            + " JVM keeps it so: kill -HUP will not reload certificates; file changes and cert_refresh_interval"
            + " still do. Start pgtls without nohup (a service manager, or env --default-signal=HUP) to reload on"
            + " SIGHUP");
      }
    } catch (IllegalArgumentException e) {
      // Signal.handle refuses a signal the JVM keeps for itself, e.g. under -Xrs.
      log.warn("SIGHUP cannot be handled ({}); certificates reload on file changes and cert_refresh_interval only",
          e.getMessage());
    }
  }

  @Override
  public void onStop(Runnable action) {
    hook = new Thread(() -> {
      action.run();
      // The JVM exits with 128 + the signal number after SIGTERM/SIGINT even when every hook ends
      // cleanly, but a stop on request is a success. Halting skips only other shutdown hooks, and this
      // process registers none (logback.xml declares no shutdownHook; console output is unbuffered).
      Runtime.getRuntime().halt(ExitCode.OK.code());
    }, "pgtls-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void close() {
    if (HUP != null) {
      try {
        Signal.handle(HUP, SignalHandler.SIG_DFL);
      } catch (IllegalArgumentException e) {
        // never installed
      }
    }
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Shutdown already began: the hook runs and decides the exit status.
      }
    }
  }
}
