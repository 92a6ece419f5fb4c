package io.pgtls.launcher.config;

import io.pgtls.HostPort;
import java.math.BigDecimal;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * One table of the parsed file with its key path ({@code proxy[1].listener}): typed access to its
 * values that turns every problem into a {@link ConfigException} naming the file, line and key.
 */
final class TomlSection {
  private static final Comparator<TomlPosition> FILE_ORDER = Comparator
      .comparingInt(TomlPosition::line)
      .thenComparingInt(TomlPosition::column);

  private final String file;
  private final Path baseDir;
  private final TomlTable table;
  private final String path;

  private TomlSection(String file, Path baseDir, TomlTable table, String path) {
    this.file = file;
    this.baseDir = baseDir;
    this.table = table;
    this.path = path;
  }

  /** The top-level table of {@code file}; relative paths in it resolve against {@code baseDir}. */
  static TomlSection root(String file, Path baseDir, TomlTable table) {
    return new TomlSection(file, baseDir, table, "");
  }

  String path() {
    return path;
  }

  boolean has(String key) {
    return raw(key) != null;
  }

  /** Rejects the first key, in file order, that is not in {@code allowed}: typos must not pass silently. */
  void allowOnly(Set<String> allowed) throws ConfigException {
    Optional<String> unknown = firstInFileOrder(table.keySet().stream().filter(k -> !allowed.contains(k)).toList());
    if (unknown.isPresent()) {
      throw new ConfigException(location(unknown.get()) + "unknown key '" + keyPath(unknown.get()) + "'");
    }
  }

  /** Of {@code keys}, the present one written first in the file. */
  Optional<String> firstPresent(Collection<String> keys) {
    return firstInFileOrder(keys.stream().filter(this::has).toList());
  }

  Optional<String> string(String key) throws ConfigException {
    Object value = raw(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String)) {
      throw error(key, "expected a string, got " + describe(value));
    }
    return Optional.of((String) value);
  }

  /** A string that is not blank. */
  Optional<String> text(String key) throws ConfigException {
    Optional<String> value = string(key);
    if (value.isPresent() && value.get().isBlank()) {
      throw error(key, "must not be empty");
    }
    return value;
  }

  /** A whole number from {@code min} to {@code max}. */
  Optional<Integer> integer(String key, int min, int max) throws ConfigException {
    Object value = raw(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Long)) {
      throw error(key, "expected an integer, got " + describe(value));
    }
    long n = (Long) value;
    if (n < min || n > max) {
      throw error(key, "must be from " + min + " to " + max + ", got " + n);
    }
    return Optional.of((int) n);
  }

  /**
   * A number written as an integer or a float, more than 0 and at most {@code max}; {@code nan} and
   * {@code inf} are out of range.
   */
  Optional<Double> positiveNumber(String key, double max) throws ConfigException {
    Object value = raw(key);
    if (value == null) {
      return Optional.empty();
    }
    double n;
    if (value instanceof Long) {
      n = (Long) value;
    } else if (value instanceof Double) {
      n = (Double) value;
    } else {
      throw error(key, "expected a number, got " + describe(value));
    }
    if (!(n > 0 && n <= max)) {
      throw error(key, "must be more than 0 and at most " + BigDecimal.valueOf(max).toPlainString() + ", got "
          + describe(value));
    }
    return Optional.of(n);
  }

  /** An array of non-blank strings; empty when absent. */
  List<String> strings(String key) throws ConfigException {
    Object value = raw(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof TomlArray)) {
      throw error(key, "expected an array of strings, got " + describe(value));
    }
    TomlArray array = (TomlArray) value;
    List<String> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      Object item = array.get(i);
      if (!(item instanceof String) || ((String) item).isBlank()) {
        throw error(key, "expected an array of strings, got " + describe(item) + " at position " + (i + 1));
      }
      out.add((String) item);
    }
    return List.copyOf(out);
  }

  Optional<Boolean> bool(String key) throws ConfigException {
    Object value = raw(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Boolean)) {
      throw error(key, "expected a boolean, got " + describe(value));
    }
    return Optional.of((Boolean) value);
  }

  /** A file path; a relative one resolves against the configuration file's directory. */
  Optional<Path> path(String key) throws ConfigException {
    Optional<String> value = text(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(resolve(key, value.get()));
  }

  /**
   * One file path or a non-empty array of them, each resolved as by {@link #path}; empty when
   * absent.
   */
  List<Path> pathOrPaths(String key) throws ConfigException {
    Object value = raw(key);
    if (value == null) {
      return List.of();
    }
    if (value instanceof String) {
      return List.of(path(key).orElseThrow());
    }
    if (!(value instanceof TomlArray)) {
      throw error(key, "expected a path or an array of paths, got " + describe(value));
    }
    List<String> texts = strings(key);
    if (texts.isEmpty()) {
      throw error(key, "the list is empty; name at least one file, or remove " + key);
    }
    List<Path> out = new ArrayList<>();
    for (String text : texts) {
      out.add(resolve(key, text));
    }
    return List.copyOf(out);
  }

  private Path resolve(String key, String text) throws ConfigException {
    try {
      return baseDir.resolve(text);
    } catch (InvalidPathException e) {
      throw error(key, "invalid path " + quote(text) + ": " + e.getReason());
    }
  }

  Path requiredPath(String key) throws ConfigException {
    return path(key).orElseThrow(() -> missing(key));
  }

  Optional<HostPort> hostPort(String key) throws ConfigException {
    Optional<String> value = string(key);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(HostPort.parse(value.get()));
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
  }

  HostPort requiredHostPort(String key) throws ConfigException {
    return hostPort(key).orElseThrow(() -> missing(key));
  }

  /** A backend's address: {@code host:port}, or a Unix-domain socket path ({@link HostPort#parseBackend}). */
  HostPort requiredBackendAddress(String key) throws ConfigException {
    String value = string(key).orElseThrow(() -> missing(key));
    try {
      return HostPort.parseBackend(value);
    } catch (IllegalArgumentException e) {
      throw error(key, e.getMessage());
    }
  }

  /** A positive duration: a string such as {@code "30s"} (see {@link Durations}) or an integer of seconds. */
  Optional<Duration> duration(String key) throws ConfigException {
    Object value = raw(key);
    if (value == null) {
      return Optional.empty();
    }
    Duration duration;
    if (value instanceof Long) {
      duration = Duration.ofSeconds((Long) value);
    } else if (value instanceof String) {
      try {
        duration = Durations.parse((String) value);
      } catch (IllegalArgumentException e) {
        throw error(key, e.getMessage());
      }
    } else {
      throw error(key, "expected a duration such as \"30s\" or an integer of seconds, got " + describe(value));
    }
    if (duration.isZero() || duration.isNegative()) {
      throw error(key, "must be positive, got " + describe(value));
    }
    return Optional.of(duration);
  }

  /** The sub-table {@code key}, written as {@code [proxy.listener]}, a dotted key or an inline table. */
  TomlSection requiredTable(String key) throws ConfigException {
    Object value = raw(key);
    if (value == null) {
      throw new ConfigException(file + ": " + keyPath(key) + ": missing required table [" + headerName(key) + "]");
    }
    if (!(value instanceof TomlTable)) {
      throw error(key, "expected a table [" + headerName(key) + "], got " + describe(value));
    }
    return new TomlSection(file, baseDir, (TomlTable) value, keyPath(key));
  }

  /** The tables of the array of tables {@code key} ({@code [[proxy]]}), at least one, named {@code key[1]}, ... */
  List<TomlSection> requiredArrayOfTables(String key) throws ConfigException {
    Object value = raw(key);
    String header = "[[" + headerName(key) + "]]";
    if (value == null) {
      throw new ConfigException(file + ": " + keyPath(key) + ": missing required table " + header);
    }
    if (value instanceof TomlTable) {
      // [proxy] instead of [[proxy]] parses fine but means a single plain table.
      throw error(key, "expected an array of tables " + header + ", got a table; write " + header + ", not ["
          + headerName(key) + "]");
    }
    if (!(value instanceof TomlArray) || !onlyTables((TomlArray) value)) {
      throw error(key, "expected an array of tables " + header + ", got " + describe(value));
    }
    TomlArray array = (TomlArray) value;
    List<TomlSection> sections = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      sections.add(new TomlSection(file, baseDir, array.getTable(i), keyPath(key) + "[" + (i + 1) + "]"));
    }
    return sections;
  }

  // Not TomlArray.containsTables(): since TOML 1.0 allows mixed arrays, tomlj 1.1 throws
  // UnsupportedOperationException from it.
  private static boolean onlyTables(TomlArray array) {
    return !array.isEmpty() && array.toList().stream().allMatch(TomlTable.class::isInstance);
  }

  /**
   * Where each key of this table and of its sub-tables is written, as {@code file:line}, by its key
   * path relative to this table ({@code backend.address}); a sub-table's own entry is its header.
   */
  Map<String, String> locations() {
    Map<String, String> out = new LinkedHashMap<>();
    collectLocations(table, "", out);
    return out;
  }

  private void collectLocations(TomlTable t, String prefix, Map<String, String> out) {
    for (String key : t.keySet()) {
      TomlPosition p = t.inputPositionOf(List.of(key));
      if (p != null) {
        out.put(prefix + key, file + ":" + p.line());
      }
      Object value = t.get(List.of(key));
      if (value instanceof TomlTable) {
        collectLocations((TomlTable) value, prefix + key + ".", out);
      }
    }
  }

  /** An error about the value of {@code key}: {@code file:line: path.key: message}. */
  ConfigException error(String key, String message) {
    return new ConfigException(location(key) + keyPath(key) + ": " + message);
  }

  /** An error about this table as a whole, located at the line of {@code lineOf}: {@code file:line: path: message}. */
  ConfigException sectionError(String lineOf, String message) {
    return new ConfigException(location(lineOf) + path + ": " + message);
  }

  ConfigException missing(String key) {
    return new ConfigException(file + ": " + keyPath(key) + ": missing required key");
  }

  String keyPath(String key) {
    return path.isEmpty() ? bareOrQuoted(key) : path + "." + bareOrQuoted(key);
  }

  // Keys are always looked up as one-element paths: tomlj's String overloads split on dots, which
  // would misread a quoted key such as "a.b".
  private Object raw(String key) {
    return table.get(List.of(key));
  }

  private Optional<TomlPosition> position(String key) {
    return Optional.ofNullable(table.inputPositionOf(List.of(key)));
  }

  private String location(String key) {
    return position(key).map(p -> file + ":" + p.line() + ": ").orElse(file + ": ");
  }

  private Optional<String> firstInFileOrder(List<String> keys) {
    return keys.stream().min(Comparator.comparing(
        k -> position(k).orElseGet(() -> TomlPosition.positionAt(Integer.MAX_VALUE, 1)), FILE_ORDER));
  }

  /** The table name as written in a header: the key path without array indices. */
  private String headerName(String key) {
    return keyPath(key).replaceAll("\\[\\d+]", "");
  }

  private static String bareOrQuoted(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : quote(key);
  }

  static String quote(String text) {
    return "\"" + Toml.tomlEscape(text) + "\"";
  }

  /** A value's TOML type and, for scalars, the value: {@code string "yes"}, {@code integer 5}. */
  static String describe(Object value) {
    if (value instanceof String) {
      return "string " + quote((String) value);
    } else if (value instanceof Long) {
      return "integer " + value;
    } else if (value instanceof Double) {
      return "float " + value;
    } else if (value instanceof Boolean) {
      return "boolean " + value;
    } else if (value instanceof OffsetDateTime || value instanceof LocalDateTime) {
      return "date-time " + value;
    } else if (value instanceof LocalDate) {
      return "date " + value;
    } else if (value instanceof LocalTime) {
      return "time " + value;
    } else if (value instanceof TomlArray) {
      return "an array";
    } else if (value instanceof TomlTable) {
      return "a table";
    }
    return String.valueOf(value);
  }
}
