package io.pgtls.launcher;

import io.pgtls.launcher.config.ConfigException;
import io.pgtls.launcher.config.ConfigLoader;
import io.pgtls.launcher.config.PgTlsConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where the running configuration comes from: a TOML file, read again on each reload with the
 * command-line options that override it ({@code --admin}) laid over it, or the command line alone,
 * which never changes (such a proxy reloads its certificates only).
 */
record ConfigSource(Optional<Path> file, UnaryOperator<PgTlsConfig> overrides) {
  ConfigSource {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(overrides, "overrides");
  }

  static ConfigSource file(Path file, UnaryOperator<PgTlsConfig> overrides) {
    return new ConfigSource(Optional.of(file), overrides);
  }

  static ConfigSource commandLine() {
    return new ConfigSource(Optional.empty(), UnaryOperator.identity());
  }

  /** Reads the file again, overrides applied; only for a source with a file. */
  PgTlsConfig read() throws ConfigException {
    return overrides.apply(ConfigLoader.load(file.orElseThrow(
        () -> new IllegalStateException("a configuration from the command line is not read again"))));
  }
}
