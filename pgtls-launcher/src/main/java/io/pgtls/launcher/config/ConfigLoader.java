package io.pgtls.launcher.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/**
 * Reads a pgtls TOML configuration file into a {@link PgTlsConfig}. Only the file is read: the
 * certificate files it names are loaded later, by {@code PgTlsProxy.Builder.build()}.
 */
public final class ConfigLoader {
  private static final Set<String> TOP_LEVEL_KEYS = Set.of("log_level", "log_format", "drain_timeout", "admin", "proxy",
      "max_connections", "loops", "crypto_provider", "tls_engine", "cancel_key_secret_file", "limits");
  private static final Set<String> ADMIN_KEYS = Set.of("bind_address", "reload_token_file");

  private ConfigLoader() {}

  /** Reads and validates {@code file}; relative paths in it resolve against its directory. */
  public static PgTlsConfig load(Path file) throws ConfigException {
    String label = file.toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(label + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new ConfigException(label + ": permission denied", e);
    } catch (CharacterCodingException e) {
      throw new ConfigException(label + ": not UTF-8 text (TOML files are UTF-8)", e);
    } catch (IOException e) {
      throw new ConfigException(label + ": cannot read: " + e.getMessage(), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, label, dir);
  }

  /**
   * Parses and validates configuration {@code text}.
   *
   * @param label names the source in error messages, normally the file's path
   * @param baseDir the directory relative paths resolve against
   */
  public static PgTlsConfig parse(String text, String label, Path baseDir) throws ConfigException {
    TomlParseResult toml = Toml.parse(text);
    if (toml.hasErrors()) {
      TomlParseError first = toml.errors().get(0);
      String where = first.position() == null ? "" : first.position().line() + ":" + first.position().column() + ":";
      throw new ConfigException(label + ":" + where + " invalid TOML: " + first.getMessage());
    }
    TomlSection root = TomlSection.root(label, baseDir, toml);
    root.allowOnly(TOP_LEVEL_KEYS);
    LogLevel logLevel = LogLevel.INFO;
    if (root.has("log_level")) {
      String level = root.string("log_level").orElseThrow();
      logLevel = LogLevel.fromConfigName(level).orElseThrow(() -> root.error("log_level",
          "expected one of trace, debug, info, warn, error, got " + TomlSection.describe(level)));
    }
    LogFormat logFormat = LogFormat.TEXT;
    if (root.has("log_format")) {
      String format = root.string("log_format").orElseThrow();
      logFormat = LogFormat.fromConfigName(format).orElseThrow(() -> root.error("log_format",
          "expected \"text\" or \"json\", got " + TomlSection.describe(format)));
    }
    CryptoProvider cryptoProvider = CryptoProvider.AUTO;
    if (root.has("crypto_provider")) {
      String choice = root.string("crypto_provider").orElseThrow();
      cryptoProvider = CryptoProvider.fromConfigName(choice).orElseThrow(() -> root.error("crypto_provider",
          "expected \"auto\", \"accp\" or \"jdk\", got " + TomlSection.describe(choice)));
    }
    TlsEngineChoice tlsEngine = TlsEngineChoice.AUTO;
    if (root.has("tls_engine")) {
      String choice = root.string("tls_engine").orElseThrow();
      tlsEngine = TlsEngineChoice.fromConfigName(choice).orElseThrow(() -> root.error("tls_engine",
          "expected \"auto\", \"jdk\" or \"boringssl\", got " + TomlSection.describe(choice)));
    }
    Duration drainTimeout = root.duration("drain_timeout").orElse(PgTlsConfig.DEFAULT_DRAIN_TIMEOUT);
    Optional<AdminConfig> admin = Optional.empty();
    if (root.has("admin")) {
      admin = Optional.of(admin(root.requiredTable("admin")));
    }
    Optional<CancelKeySecret> cancelKeySecret = root.path("cancel_key_secret_file")
        .map(file -> new CancelKeySecret(file, root.error("cancel_key_secret_file", "").getMessage()));
    Optional<LimitsConfig> limits = Optional.empty();
    if (root.has("limits")) {
      limits = Optional.of(LimitsReader.read(root.requiredTable("limits")));
    }
    return new PgTlsConfig(logLevel, logFormat, drainTimeout, admin, routes(root),
        root.integer("max_connections", 1, 1_000_000), root.integer("loops", 1, 1024), cryptoProvider,
        tlsEngine, cancelKeySecret, limits);
  }

  private static AdminConfig admin(TomlSection admin) throws ConfigException {
    admin.allowOnly(ADMIN_KEYS);
    return new AdminConfig(admin.requiredHostPort("bind_address"), admin.path("reload_token_file"));
  }

  private static List<RouteConfig> routes(TomlSection root) throws ConfigException {
    List<RouteConfig> routes = new ArrayList<>();
    Map<String, String> pathByName = new HashMap<>();
    int position = 0;
    for (TomlSection proxy : root.requiredArrayOfTables("proxy")) {
      RouteConfig route = RouteReader.read(proxy, ++position);
      String other = pathByName.putIfAbsent(route.name(), proxy.path());
      if (other != null) {
        throw proxy.has("name")
            ? proxy.error("name", TomlSection.quote(route.name()) + " is already the name of " + other
                + "; route names must be unique")
            : proxy.sectionError("name", "the default name " + TomlSection.quote(route.name())
                + " is already the name of " + other + "; give this route a name");
      }
      routes.add(route);
    }
    return routes;
  }
}
