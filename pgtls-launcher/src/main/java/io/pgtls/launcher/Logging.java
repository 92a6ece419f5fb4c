package io.pgtls.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.pgtls.launcher.config.LogLevel;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the configuration's {@code log_level} to logback, which {@code logback.xml} set up. */
final class Logging {
  private Logging() {}

  static void apply(LogLevel level) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    // Only logback can be configured here; under another SLF4J binding (an embedding application's)
    // its own configuration stays in charge.
    if (factory instanceof LoggerContext) {
      ((LoggerContext) factory).getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level.name()));
    }
  }
}
