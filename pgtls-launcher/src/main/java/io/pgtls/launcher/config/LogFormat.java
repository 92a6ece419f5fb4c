package io.pgtls.launcher.config;

import java.util.Optional;

/** The {@code log_format} setting: how log lines are written to standard output. */
public enum LogFormat {
  /** One human-readable line per event: time, level, thread, logger, message. */
  TEXT,
  /** One JSON object per line (logback's {@code JsonEncoder}), for log collectors. */
  JSON;

  public String configName() {
    return ConfigNames.of(this);
  }

  /** Parses a configuration name (exact lower case); empty when it names no format. */
  public static Optional<LogFormat> fromConfigName(String text) {
    return ConfigNames.exact(LogFormat.class, text);
  }
}
