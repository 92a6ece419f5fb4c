package io.pgtls.launcher;

/** Why the proxy is being reloaded; named in the log lines of each reload. */
enum ReloadTrigger {
  SIGHUP("SIGHUP", true),
  FILE_CHANGE("the configuration file or a file it names changed", true),
  ADMIN("POST /reload", true),
  INTERVAL("cert_refresh_interval", false);

  private final String description;
  private final boolean readsConfiguration;

  ReloadTrigger(String description, boolean readsConfiguration) {
    this.description = description;
    this.readsConfiguration = readsConfiguration;
  }

  String description() {
    return description;
  }

  /**
   * Whether this trigger reads the whole configuration again, given whether it came from a file;
   * otherwise (the command line, or {@code cert_refresh_interval}) it reloads the certificates only.
   */
  boolean readsConfiguration(boolean fromFile) {
    return fromFile && readsConfiguration;
  }
}
