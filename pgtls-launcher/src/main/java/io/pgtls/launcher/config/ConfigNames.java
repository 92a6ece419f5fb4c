package io.pgtls.launcher.config;

import java.util.Locale;
import java.util.Optional;
import java.util.function.BiPredicate;

/** The configuration-file names of the setting enums: each constant's name in lower case. */
final class ConfigNames {
  private ConfigNames() {}

  static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /** The constant of {@code type} named exactly {@code text}; empty when none is. */
  static <E extends Enum<E>> Optional<E> exact(Class<E> type, String text) {
    return find(type, text, String::equals);
  }

  /** The constant of {@code type} named {@code text} in any case ({@link String#equalsIgnoreCase}). */
  static <E extends Enum<E>> Optional<E> ignoringCase(Class<E> type, String text) {
    return find(type, text, String::equalsIgnoreCase);
  }

  private static <E extends Enum<E>> Optional<E> find(Class<E> type, String text, BiPredicate<String, String> same) {
    for (E constant : type.getEnumConstants()) {
      if (same.test(of(constant), text)) {
        return Optional.of(constant);
      }
    }
    return Optional.empty();
  }
}
