package io.pgtls.launcher;

import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.launcher.Options.UsageException;
import io.pgtls.launcher.config.AdminConfig;
import io.pgtls.launcher.config.ConfigException;
import io.pgtls.launcher.config.ConfigLoader;
import io.pgtls.launcher.config.PgTlsConfig;
import io.pgtls.launcher.config.ProxyBuilders;
import java.io.PrintStream;
import java.util.Objects;
import java.util.function.UnaryOperator;
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
  private final ProcessControl control;

  public PgTlsCommand(PrintStream out, PrintStream err) {
    this(out, err, new JdkSignals());
  }

  /** With {@code control} standing in for the process's signals (tests). */
  PgTlsCommand(PrintStream out, PrintStream err, ProcessControl control) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.control = Objects.requireNonNull(control, "control");
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
        case CHECK, RUN -> checkOrRun(options);
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

  private ExitCode checkOrRun(Options options) throws InterruptedException {
    Options.Mode mode = options.mode();
    PgTlsConfig config;
    if (options.config().isPresent()) {
      try {
        config = ConfigLoader.load(options.config().get());
      } catch (ConfigException e) {
        err.println(e.getMessage());
        return ExitCode.USAGE;
      }
    } else {
      config = options.route().orElseThrow().toConfig();
    }
    UnaryOperator<PgTlsConfig> overrides = read -> options.admin().isPresent()
        ? read.withAdmin(new AdminConfig(options.admin().get(), read.admin().flatMap(AdminConfig::reloadTokenFile)))
        : read;
    config = overrides.apply(config);
    ConfigSource source = options.config().isPresent()
        ? ConfigSource.file(options.config().get(), overrides)
        : ConfigSource.commandLine();
    Logging.apply(config.logFormat());
    Logging.apply(config.logLevel());
    String serverNameExtension = ServerNameExtension.outcome();
    if (serverNameExtension != null) {
      log.info(serverNameExtension);
    }
    String sessionTickets = SessionTickets.outcome();
    if (sessionTickets != null) {
      log.info(sessionTickets);
    }
    String nettyUnsafe = NettyUnsafe.outcome();
    if (nettyUnsafe != null) {
      log.info(nettyUnsafe);
    }
    try {
      // Before build(): loading the keys already goes through the chosen provider.
      log.info(CryptoProviders.apply(config.cryptoProvider()).description());
    } catch (CryptoProviders.UnavailableException e) {
      err.println("pgtls: crypto_provider = \"accp\", but the Amazon Corretto Crypto Provider is not usable here: "
          + e.getMessage() + "; set crypto_provider = \"auto\" (it falls back to the JDK's providers) or \"jdk\"");
      return ExitCode.RUNTIME;
    }
    TlsEngineSelection.Outcome engine;
    try {
      engine = TlsEngineSelection.choose(config.tlsEngine());
      log.info(engine.description());
    } catch (TlsEngineSelection.UnavailableException e) {
      err.println("pgtls: tls_engine = \"boringssl\", but BoringSSL is not usable here: " + e.getMessage()
          + "; set tls_engine = \"auto\" (it falls back to the JDK's engine) or \"jdk\"");
      return ExitCode.RUNTIME;
    }
    PgTlsProxy proxy;
    try {
      // A reload keeps this engine (PgTlsProxy.reconfigure keeps the proxy's when the next builder
      // names none): tls_engine is restart-only.
      proxy = ProxyBuilders.builder(config).tlsEngine(engine.engine()).build();
    } catch (PgTlsException e) {
      // build() checks every setting and loads every certificate and key; its message names the
      // route and the setting, and the configuration knows where that setting is written.
      err.println(config.describe(e));
      return ExitCode.USAGE;
    }
    try (proxy) {
      if (mode == Options.Mode.CHECK) {
        out.println("configuration OK: " + config.routes().size() + " route(s)");
        CheckReport.print(proxy, out);
        return ExitCode.OK;
      }
      proxy.serverNameWarnings().forEach(log::warn);
      return new ProxyRunner(err, control).run(source, config, proxy);
    }
  }
}
