package io.pgtls.launcher;

/** Why certificates are being reloaded; named in the log lines of each reload. */
enum ReloadTrigger {
  SIGHUP("SIGHUP"),
  FILE_CHANGE("a certificate or key file changed"),
  INTERVAL("cert_refresh_interval");

  private final String description;

  ReloadTrigger(String description) {
    this.description = description;
  }

  String description() {
    return description;
  }
}
