package io.pgtls.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import io.pgtls.launcher.config.LogFormat;
import io.pgtls.launcher.config.LogLevel;
import java.util.Optional;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the configuration's {@code log_level} and {@code log_format} to logback, which {@code logback.xml} set up. */
final class Logging {
  /** The appender {@code logback.xml} declares. */
  static final String CONSOLE = "CONSOLE";

  private Logging() {}

  static void apply(LogLevel level) {
    root().ifPresent(root -> root.setLevel(Level.toLevel(level.name())));
  }

  /** Switches the console to JSON lines; {@link LogFormat#TEXT} keeps {@code logback.xml}'s pattern. */
  static void apply(LogFormat format) {
    if (format != LogFormat.JSON) {
      return;
    }
    root().ifPresent(root -> {
      Appender<ILoggingEvent> appender = root.getAppender(CONSOLE);
      if (appender instanceof OutputStreamAppender<ILoggingEvent> console) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(root.getLoggerContext());
        // JsonEncoder's defaults write the message template ("route '{}' listening on {}") and its
        // arguments apart, and the whole logger context with every line; one readable
        // "formattedMessage" serves log search better.
        encoder.setWithFormattedMessage(true);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithContext(false);
        encoder.setWithSequenceNumber(false);
        encoder.start();
        // The encoder writes the appender's stream; swap it while the appender is stopped.
        console.stop();
        console.setEncoder(encoder);
        console.start();
      }
    });
  }

  private static Optional<ch.qos.logback.classic.Logger> root() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    // Only logback can be configured here; under another SLF4J binding (an embedding application's)
    // its own configuration stays in charge.
    if (factory instanceof LoggerContext context) {
      return Optional.of(context.getLogger(Logger.ROOT_LOGGER_NAME));
    }
    return Optional.empty();
  }
}
