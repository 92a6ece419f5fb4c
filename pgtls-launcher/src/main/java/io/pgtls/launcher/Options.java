package io.pgtls.launcher;

import io.pgtls.HostPort;
import io.pgtls.launcher.config.CommandLineRoute;
import io.pgtls.launcher.config.CommandLineRoute.BackendLeg;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parsed command line of {@code pgtls}: either a configuration file ({@code --config}) or one
 * route given by options ({@link CommandLineRoute}), plus an optional admin address that overrides
 * the file's {@code [admin]}.
 */
record Options(Mode mode, Optional<Path> config, Optional<CommandLineRoute> route, Optional<HostPort> admin) {
  static final String USAGE = String.join(System.lineSeparator(),
      "Usage: pgtls --config FILE [--admin HOST:PORT] [--check]",
      "       pgtls --listen HOST:PORT --backend HOST:PORT|PATH --cert FILE --key FILE",
      "             [--backend-ca FILE | --backend-plaintext] [--admin HOST:PORT] [--check]",
      "       pgtls --help | --version",
      "",
      "Runs pgtls, a TLS proxy for PostgreSQL, with the routes of a TOML configuration file,",
      "or with one route given by options.",
      "",
      "Options:",
      "  -c, --config FILE         the configuration file (TOML)",
      "      --listen HOST:PORT    one route without a file: address to listen on",
      "      --backend HOST:PORT   ... the PostgreSQL server to forward to; or its Unix-domain",
      "                            socket, /run/postgresql/.s.PGSQL.5432 or its directory",
      "                            (with --backend-plaintext: no TLS over a Unix socket)",
      "      --cert FILE           ... PEM certificate chain shown to clients",
      "      --key FILE            ... its PEM private key",
      "      --backend-ca FILE     ... CA file the backend's certificate must chain to",
      "                            (default: the Java runtime's trust store)",
      "      --backend-plaintext   ... plain TCP to the backend instead of TLS",
      "      --admin HOST:PORT     serve /metrics, /health and /ready over HTTP here",
      "                            (overrides [admin] of the file; port 0 = any free port)",
      "      --check               load the configuration and every certificate, report, and exit",
      "                            without listening",
      "  -h, --help                print this help and exit",
      "  -V, --version             print the version and exit",
      "",
      "Signals: SIGHUP reloads certificates; SIGTERM and SIGINT drain (drain_timeout) and stop.",
      "",
      "Exit status:",
      "  0  stopped on request (SIGTERM, SIGINT), or --check, --help, --version succeeded",
      "  1  bad arguments or configuration, including certificates that cannot be loaded",
      "  2  failed to start (e.g. address in use) or failed while running");

  /** The options that define a route without a file, in the order the usage lists them. */
  private static final List<String> ROUTE_OPTIONS =
      List.of("--listen", "--backend", "--cert", "--key", "--backend-ca", "--backend-plaintext");

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
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(admin, "admin");
  }

  private static Options only(Mode mode) {
    return new Options(mode, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Parses {@code args}; --help and --version win as soon as they are seen. */
  static Options parse(String... args) throws UsageException {
    Iterator<String> it = Arrays.asList(args).iterator();
    Path config = null;
    HostPort listen = null;
    HostPort backend = null;
    Path cert = null;
    Path key = null;
    Path backendCa = null;
    boolean backendPlaintext = false;
    HostPort admin = null;
    boolean check = false;
    List<String> routeOptionsSeen = new ArrayList<>();
    while (it.hasNext()) {
      String arg = it.next();
      switch (arg) {
        case "-h", "--help" -> {
          return only(Mode.HELP);
        }
        case "-V", "--version" -> {
          return only(Mode.VERSION);
        }
        case "-c", "--config" -> {
          once(config, "--config");
          config = path(arg, argument(it, arg, "FILE"));
        }
        case "--listen" -> {
          once(listen, arg);
          listen = hostPort(arg, argument(it, arg, "HOST:PORT"));
        }
        case "--backend" -> {
          once(backend, arg);
          backend = backendAddress(arg, argument(it, arg, "HOST:PORT"));
          if (backend.port() == 0) {
            throw new UsageException("option --backend: port 0 is not a PostgreSQL port; write the backend's port, e.g. "
                + backend.host() + ":5432");
          }
        }
        case "--cert" -> {
          once(cert, arg);
          cert = path(arg, argument(it, arg, "FILE"));
        }
        case "--key" -> {
          once(key, arg);
          key = path(arg, argument(it, arg, "FILE"));
        }
        case "--backend-ca" -> {
          once(backendCa, arg);
          backendCa = path(arg, argument(it, arg, "FILE"));
        }
        case "--backend-plaintext" -> backendPlaintext = true;
        case "--admin" -> {
          once(admin, arg);
          admin = hostPort(arg, argument(it, arg, "HOST:PORT"));
        }
        case "--check" -> check = true;
        default -> throw new UsageException(arg.startsWith("-") && arg.length() > 1
            ? "unknown option '" + arg + "'"
            : "unexpected argument '" + arg + "'");
      }
      if (ROUTE_OPTIONS.contains(arg)) {
        routeOptionsSeen.add(arg);
      }
    }
    Mode mode = check ? Mode.CHECK : Mode.RUN;
    if (config != null) {
      if (!routeOptionsSeen.isEmpty()) {
        throw new UsageException("option " + routeOptionsSeen.get(0) + " cannot be combined with --config; "
            + "write the route in the file, or leave out --config");
      }
      return new Options(mode, Optional.of(config), Optional.empty(), Optional.ofNullable(admin));
    }
    if (routeOptionsSeen.isEmpty()) {
      throw new UsageException("no configuration file given; use --config FILE, "
          + "or --listen, --backend, --cert and --key for one route");
    }
    if (backendCa != null && backendPlaintext) {
      throw new UsageException("options --backend-ca and --backend-plaintext contradict each other; choose one");
    }
    String missing = listen == null ? "--listen" : backend == null ? "--backend" : cert == null ? "--cert"
        : key == null ? "--key" : null;
    if (missing != null) {
      throw new UsageException("option " + missing + " is missing; a route without a file needs --listen, "
          + "--backend, --cert and --key");
    }
    if (backend.isUnixSocket() && !backendPlaintext) {
      throw new UsageException("option --backend: " + backend + " is a Unix-domain socket, over which PostgreSQL "
          + "never speaks TLS; add --backend-plaintext");
    }
    CommandLineRoute route = new CommandLineRoute(listen, backend, cert, key,
        backendPlaintext ? BackendLeg.PLAINTEXT : BackendLeg.TLS, Optional.ofNullable(backendCa));
    return new Options(mode, Optional.empty(), Optional.of(route), Optional.ofNullable(admin));
  }

  private static void once(Object previous, String option) throws UsageException {
    if (previous != null) {
      throw new UsageException("option " + option + " is given twice");
    }
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

  private static HostPort backendAddress(String option, String value) throws UsageException {
    try {
      return HostPort.parseBackend(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("option " + option + ": " + e.getMessage());
    }
  }

  private static HostPort hostPort(String option, String value) throws UsageException {
    try {
      return HostPort.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("option " + option + ": " + e.getMessage());
    }
  }
}
