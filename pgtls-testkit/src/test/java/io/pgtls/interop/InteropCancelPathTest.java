package io.pgtls.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Which clients send their CancelRequest in plaintext and which inside TLS, shown on a route that
 * honours cancels only inside TLS ({@code allowPlaintextCancel(false)}): there a plaintext cancel
 * is dropped and the statement runs to its end. The server does not matter; PostgreSQL 17 runs it.
 */
class InteropCancelPathTest {
  private static final Duration SLEEP = Duration.ofSeconds(3);

  @AfterAll
  static void stop() {
    VertxClient.closeAll();
    InteropServers.closeAll();
  }

  @TestFactory
  // Concurrent among themselves; the class as a whole still runs alone, like every other class.
  @Execution(ExecutionMode.CONCURRENT)
  Stream<DynamicTest> onlyCancelsSentInsideTlsPassARouteWithoutPlaintextCancels() {
    return InteropClients.all().stream().filter(InteropClient::canCancel).map(client -> dynamicTest(
        client.name() + (client.cancelsInsideTls() ? ": cancels inside TLS" : ": cancels in plaintext"), () -> {
          client.requireInstalled();
          InteropServer server = InteropServers.all().get(0);
          String marker = "pgtls_cancel_path_" + UUID.randomUUID().toString().replace("-", "");
          Outcome o = client.cancel(server.endpoint(InteropServer.NO_PLAIN_CANCEL),
              "select pg_sleep(" + SLEEP.toSeconds() + "), '" + marker + "'", () -> server.awaitRunning(marker));
          if (client.cancelsInsideTls()) {
            assertThat(o.succeeded()).as(o.toString()).isFalse();
            assertThat(o.error()).as(o.toString()).contains(client.cancelledStatementError());
            assertThat(o.elapsed()).as("the statement ended early: " + o).isLessThan(SLEEP);
          } else {
            // Not o.succeeded(): psql -c exits 1 after Ctrl-C even when the statement then completes.
            assertThat(o.error()).as("the cancel was dropped: " + o).doesNotContain("canceling statement");
            assertThat(o.elapsed()).as("the statement ran to its end: " + o).isGreaterThanOrEqualTo(SLEEP);
          }
        }));
  }
}
