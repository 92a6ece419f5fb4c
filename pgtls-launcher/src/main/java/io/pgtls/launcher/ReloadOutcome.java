package io.pgtls.launcher;

import java.util.Objects;

/** How one reload ended, as the log, {@code POST /reload} and the reload metrics report it. */
record ReloadOutcome(Status status, String message) {
  enum Status {
    /** The new configuration (or the certificates) is in service. */
    APPLIED,
    /** The new configuration was refused; the running one stays whole. */
    FAILED,
    /** The proxy was stopping; nothing was reloaded. */
    NOT_RUNNING
  }

  ReloadOutcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
  }

  static ReloadOutcome applied(String summary) {
    return new ReloadOutcome(Status.APPLIED, summary);
  }

  static ReloadOutcome failed(String reason) {
    return new ReloadOutcome(Status.FAILED, reason);
  }

  static ReloadOutcome notRunning(String reason) {
    return new ReloadOutcome(Status.NOT_RUNNING, reason);
  }

  /** The answer to {@code POST /reload}: 200 applied, 500 refused, 409 while the proxy stops. */
  int httpStatus() {
    return switch (status) {
      case APPLIED -> 200;
      case FAILED -> 500;
      case NOT_RUNNING -> 409;
    };
  }
}
