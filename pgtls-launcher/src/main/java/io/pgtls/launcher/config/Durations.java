package io.pgtls.launcher.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The durations of the configuration file: a whole number followed by a unit ({@code 250ms},
 * {@code 45s}, {@code 10m}, {@code 30min}, {@code 24h}, {@code 7d}) or without a unit, meaning
 * seconds ({@code "45"}). {@code m} is minutes, as in the original configuration.
 */
public final class Durations {
  static final String FORMAT_HINT =
      "write a whole number with a unit (ms, s, m, min, h, d) such as \"45s\", \"10m\" or \"24h\", or a whole number of seconds";

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([a-z]*)");
  private static final Map<String, ChronoUnit> UNITS = Map.of(
      "", ChronoUnit.SECONDS,
      "ms", ChronoUnit.MILLIS,
      "s", ChronoUnit.SECONDS,
      "m", ChronoUnit.MINUTES,
      "min", ChronoUnit.MINUTES,
      "h", ChronoUnit.HOURS,
      "d", ChronoUnit.DAYS);

  private Durations() {}

  /**
   * The duration {@code text} denotes.
   *
   * @throws IllegalArgumentException naming the text and the accepted format
   */
  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text.trim());
    ChronoUnit unit = m.matches() ? UNITS.get(m.group(2)) : null;
    if (unit == null) {
      throw new IllegalArgumentException("invalid duration " + TomlSection.quote(text) + "; " + FORMAT_HINT);
    }
    try {
      return Duration.of(Long.parseLong(m.group(1)), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("duration " + TomlSection.quote(text) + " is too large");
    }
  }

  /** A short form for log lines and toString: {@code 24h}, {@code 30m}, {@code 1h30m}, {@code 0.25s}. */
  public static String format(Duration duration) {
    return duration.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
