package io.pgtls.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process run of {@link PgTlsCommand}: its exit code and what it printed. */
record CommandRun(ExitCode exitCode, String out, String err) {
  static CommandRun of(String... args) {
    return of(new JdkSignals(), args);
  }

  /** A run whose signals come from {@code control}. */
  static CommandRun of(ProcessControl control, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ExitCode code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = new PgTlsCommand(o, e, control).run(args);
    }
    return new CommandRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The error output without the trailing line separator. */
  String errLine() {
    return err.stripTrailing();
  }
}
