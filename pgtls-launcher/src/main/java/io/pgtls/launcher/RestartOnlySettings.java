package io.pgtls.launcher;

import io.pgtls.launcher.config.PgTlsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings a reload cannot change in a running process: those the process, its loops or its
 * admin endpoint are set up with at start. A reload that finds them changed applies the rest and
 * says which need a restart.
 */
final class RestartOnlySettings {
  private RestartOnlySettings() {}

  /** The names of the start-only settings whose value differs between {@code started} and {@code next}, in file order. */
  static List<String> changed(PgTlsConfig started, PgTlsConfig next) {
    List<String> changed = new ArrayList<>();
    if (started.logFormat() != next.logFormat()) {
      changed.add("log_format");
    }
    if (!started.maxConnections().equals(next.maxConnections())) {
      changed.add("max_connections");
    }
    if (!started.loops().equals(next.loops())) {
      changed.add("loops");
    }
    if (started.cryptoProvider() != next.cryptoProvider()) {
      changed.add("crypto_provider");
    }
    if (started.tlsEngine() != next.tlsEngine()) {
      changed.add("tls_engine");
    }
    if (!Objects.equals(started.limits(), next.limits())) {
      changed.add("[limits]");
    }
    if (!Objects.equals(started.admin(), next.admin())) {
      changed.add("[admin]");
    }
    return changed;
  }
}
