package io.pgtls.launcher;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;

/** The parsed command line of {@code pgtls}. */
record Options(Mode mode, Optional<Path> config) {
  static final String USAGE = String.join(System.lineSeparator(),
      "Usage: pgtls --config FILE [--check]",
      "       pgtls --help | --version",
      "",
      "Runs pgtls, a TLS proxy for PostgreSQL, with the routes of a TOML configuration file.",
      "",
      "Options:",
      "  -c, --config FILE   the configuration file (TOML)",
      "      --check         load the configuration and every certificate, report, and exit",
      "                      without listening",
      "  -h, --help          print this help and exit",
      "  -V, --version       print the version and exit",
      "",
      "Exit status: 0 stopped on request or check passed, 1 bad arguments or configuration,",
      "2 failed to start (e.g. address in use) or failed while running.");

  /** What the command is asked to do. */
  enum Mode {
    RUN,
    CHECK,
    HELP,
    VERSION
  }

  /** A command line that cannot be run; the message says what is wrong with it. */
  static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  Options {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(config, "config");
  }

  /** Parses {@code args}; --help and --version win as soon as they are seen. */
  static Options parse(String... args) throws UsageException {
    Iterator<String> it = Arrays.asList(args).iterator();
    Path config = null;
    boolean check = false;
    while (it.hasNext()) {
      String arg = it.next();
      switch (arg) {
        case "-h", "--help" -> {
          return new Options(Mode.HELP, Optional.empty());
        }
        case "-V", "--version" -> {
          return new Options(Mode.VERSION, Optional.empty());
        }
        case "-c", "--config" -> {
          if (config != null) {
            throw new UsageException("option " + arg + " is given twice");
          }
          config = path(arg, argument(it, arg, "FILE"));
        }
        case "--check" -> check = true;
        default -> throw new UsageException(arg.startsWith("-") && arg.length() > 1
            ? "unknown option '" + arg + "'"
            : "unexpected argument '" + arg + "'");
      }
    }
    if (config == null) {
      throw new UsageException("no configuration file given; use --config FILE");
    }
    return new Options(check ? Mode.CHECK : Mode.RUN, Optional.of(config));
  }

  private static String argument(Iterator<String> it, String option, String name) throws UsageException {
    String value = it.hasNext() ? it.next() : null;
    // "-c --check" means a forgotten FILE far more often than a file named "--check".
    if (value == null || value.isEmpty() || (value.startsWith("-") && value.length() > 1)) {
      throw new UsageException("option " + option + " needs a " + name + " argument");
    }
    return value;
  }

  private static Path path(String option, String value) throws UsageException {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new UsageException("option " + option + ": invalid path '" + value + "': " + e.getReason());
    }
  }
}
