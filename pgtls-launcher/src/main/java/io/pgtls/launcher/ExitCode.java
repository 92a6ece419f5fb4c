package io.pgtls.launcher;

/** The exit status of the {@code pgtls} command. */
public enum ExitCode {
  /** Stopped on request (SIGTERM, SIGINT), or --check, --help, --version succeeded. */
  OK(0),
  /** Bad command-line arguments or a bad configuration (including certificates that cannot be loaded). */
  USAGE(1),
  /** The proxy could not start (e.g. an address already in use) or failed while running. */
  RUNTIME(2);

  private final int code;

  ExitCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
