package io.pgtls.launcher;

import io.pgtls.PgTlsProxy;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * What {@code --check} prints after "configuration OK": for each listener that chooses its route
 * by TLS server name, which name goes to which route, in matching order; then each route whose
 * certificate does not name the server names it serves, as a {@code WARN} line. Warnings leave the
 * exit status at 0: such a route still serves clients that do not verify the name.
 */
final class CheckReport {
  private CheckReport() {}

  static void print(PgTlsProxy proxy, PrintStream out) {
    for (Map.Entry<String, List<String>> listener : proxy.routing().entrySet()) {
      List<String> lines = listener.getValue();
      // A listener whose one route takes every client has nothing to tell apart.
      if (lines.size() > 1) {
        out.println("listener " + listener.getKey() + " routes by server name:");
        lines.forEach(line -> out.println("  " + line));
      }
    }
    proxy.serverNameWarnings().forEach(warning -> out.println("WARN " + warning));
  }
}
