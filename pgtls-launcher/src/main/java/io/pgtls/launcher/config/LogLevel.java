package io.pgtls.launcher.config;

import java.util.Optional;

/** The {@code log_level} setting: how much pgtls logs. */
public enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR;

  /** The name as written in the configuration file: {@code trace}, {@code debug}, ... */
  public String configName() {
    return ConfigNames.of(this);
  }

  /** Parses a configuration name, ignoring case; empty when it names no level. */
  public static Optional<LogLevel> fromConfigName(String text) {
    return ConfigNames.ignoringCase(LogLevel.class, text);
  }
}
