package io.pgtls.launcher;

import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.launcher.Options.UsageException;
import io.pgtls.launcher.config.ConfigException;
import io.pgtls.launcher.config.ConfigLoader;
import io.pgtls.launcher.config.Durations;
import io.pgtls.launcher.config.PgTlsConfig;
import io.pgtls.launcher.config.ProxyBuilders;
import io.pgtls.launcher.config.RouteConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pgtls} command: parses the arguments, loads the configuration, builds the proxy and
 * then checks it ({@code --check}) or runs it. Never calls {@code System.exit}; {@link Main} does.
 */
public final class PgTlsCommand {
  private static final Logger log = LoggerFactory.getLogger(PgTlsCommand.class);

  private final PrintStream out;
  private final PrintStream err;

  public PgTlsCommand(PrintStream out, PrintStream err) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
  }

  /** Runs the command; in run mode this blocks until the proxy stops. */
  public ExitCode run(String... args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (UsageException e) {
      err.println("pgtls: " + e.getMessage());
      err.println();
      err.println(Options.USAGE);
      return ExitCode.USAGE;
    }
    try {
      return switch (options.mode()) {
        case HELP -> {
          out.println(Options.USAGE);
          yield ExitCode.OK;
        }
        case VERSION -> {
          out.println("pgtls " + Version.current());
          yield ExitCode.OK;
        }
        case CHECK, RUN -> checkOrRun(options.mode(), options.config().orElseThrow());
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("pgtls: interrupted");
      return ExitCode.RUNTIME;
    } catch (RuntimeException e) {
      err.println("pgtls: unexpected error: " + e);
      e.printStackTrace(err);
      return ExitCode.RUNTIME;
    }
  }

  private ExitCode checkOrRun(Options.Mode mode, Path configFile) throws InterruptedException {
    PgTlsConfig config;
    try {
      config = ConfigLoader.load(configFile);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return ExitCode.USAGE;
    }
    Logging.apply(config.logLevel());
    warnAboutUnimplementedSettings(config);
    PgTlsProxy proxy;
    try {
      proxy = ProxyBuilders.builder(config).build();
    } catch (PgTlsException e) {
      // build() loads every certificate and key; its message names the route and the setting.
      err.println(e.getMessage());
      return ExitCode.USAGE;
    }
    try (proxy) {
      if (mode == Options.Mode.CHECK) {
        out.println("configuration OK: " + config.routes().size() + " route(s)");
        return ExitCode.OK;
      }
      return new ProxyRunner(err).run(config, proxy);
    }
  }

  private static void warnAboutUnimplementedSettings(PgTlsConfig config) {
    for (RouteConfig route : config.routes()) {
      route.listener().certRefreshInterval().ifPresent(interval -> log.warn(
          "route '{}': cert_refresh_interval ({}) is accepted but automatic certificate refresh is not "
              + "implemented yet; restart pgtls to load new certificates", route.name(), Durations.format(interval)));
    }
  }
}
