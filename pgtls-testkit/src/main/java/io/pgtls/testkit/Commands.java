package io.pgtls.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a PostgreSQL command line to completion and returns its exit code and output. */
final class Commands {

  private static final Logger LOG = LoggerFactory.getLogger(Commands.class);

  /** What a finished command left behind: its exit code and its stdout and stderr, merged. */
  record Result(int exitCode, String output) {
    boolean succeeded() {
      return exitCode == 0;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + ": " + output.strip();
    }
  }

  private Commands() {}

  /**
   * Runs {@code command} in {@code workDirectory}, feeding it {@code stdin} (or nothing), and waits
   * at most {@code timeout}.
   *
   * <p>Output goes to a file rather than a pipe: {@code pg_ctl start} leaves a daemon behind, and a
   * daemon that inherited our pipe would keep it open, so reading to end of stream would hang.
   */
  static Result run(List<String> command, Path workDirectory, String stdin, Duration timeout) {
    Path output = null;
    try {
      output = Files.createTempFile("pgtls-command-", ".out");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workDirectory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      if (stdin == null) {
        builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      }
      sanitize(builder.environment());
      LOG.debug("Running {}", command);
      Process process = builder.start();
      if (stdin != null) {
        feed(process, stdin);
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new PostgresServerException(
            "Timed out after " + timeout + ": " + command + "\n" + Files.readString(output));
      }
      return new Result(process.exitValue(), Files.readString(output));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PostgresServerException("Interrupted while running " + command, e);
    } finally {
      if (output != null) {
        try {
          Files.deleteIfExists(output);
        } catch (IOException e) {
          LOG.debug("Cannot delete {}", output, e);
        }
      }
    }
  }

  /** A command that exits early closes its end of the pipe; its output then tells why. */
  private static void feed(Process process, String stdin) {
    try (var in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      LOG.debug("The command stopped reading its input", e);
    }
  }

  /**
   * Removes what would make PostgreSQL behave differently from one machine to the next:
   *
   * <ul>
   *   <li>{@code PG*} variables: {@code PGDATA}, {@code PGPORT}, {@code PGCTLTIMEOUT} and friends
   *       change what initdb, pg_ctl and postgres do;
   *   <li>{@code LD_LIBRARY_PATH}: it takes precedence over the bundled binaries' RUNPATH
   *       ({@code $ORIGIN/../lib}), so a foreign libssl.so.1.1 or libicu could be loaded instead;
   *   <li>the locale: {@code LC_ALL=C} so that initdb does not fail on a {@code LANG} naming a
   *       locale that is not installed, and server messages stay in English for the log checks.
   * </ul>
   */
  static void sanitize(Map<String, String> environment) {
    environment.keySet().removeIf(name -> name.startsWith("PG") || name.startsWith("LC_"));
    environment.remove("LD_LIBRARY_PATH");
    environment.remove("LANG");
    environment.remove("LANGUAGE");
    environment.put("LC_ALL", "C");
  }

  private static File nullDevice() {
    return new File("/dev/null");
  }
}
