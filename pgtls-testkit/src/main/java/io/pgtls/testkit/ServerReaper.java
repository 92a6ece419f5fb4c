package io.pgtls.testkit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stops every server still open when the JVM exits, so that a test run cut short (Ctrl-C, a
 * surefire timeout) leaves no postmaster behind. A postmaster is not a child the JVM waits for:
 * pg_ctl daemonises it, so it would otherwise outlive the JVM and keep its port.
 */
final class ServerReaper {

  private static final Set<PostgresServer> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> OPEN.forEach(PostgresServer::closeAtShutdown), "pgtls-postgres-reaper"));
  }

  private ServerReaper() {}

  static void watch(PostgresServer server) {
    OPEN.add(server);
  }

  static void release(PostgresServer server) {
    OPEN.remove(server);
  }
}
