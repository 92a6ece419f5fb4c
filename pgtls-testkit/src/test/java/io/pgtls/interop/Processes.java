package io.pgtls.interop;

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

/** Runs one client process to its end and turns what it left behind into an {@link Outcome}. */
final class Processes {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Processes() {}

  /** A started client process whose output goes to files until {@link #finish()}. */
  static final class Running {
    private final Process process;
    private final Path out;
    private final Path err;
    private final long started;
    private final List<String> command;
    private final Duration timeout;

    private Running(Process process, Path out, Path err, long started, List<String> command, Duration timeout) {
      this.process = process;
      this.out = out;
      this.err = err;
      this.started = started;
      this.command = command;
      this.timeout = timeout;
    }

    long pid() {
      return process.pid();
    }

    /** Waits for the process; stdout is the output, stderr the error. */
    Outcome finish() {
      try {
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", command));
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        String stdout = Files.readString(out, StandardCharsets.UTF_8).strip();
        String stderr = Files.readString(err, StandardCharsets.UTF_8).strip();
        int exit = process.exitValue();
        return new Outcome(exit == 0, stdout, "exit " + exit + ": " + stderr, elapsed);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new AssertionError("interrupted", e);
      } finally {
        try {
          Files.deleteIfExists(out);
          Files.deleteIfExists(err);
        } catch (IOException ignored) {
          // temporary files; the OS cleans up eventually
        }
      }
    }
  }

  static Running start(Map<String, String> env, List<String> command) {
    return start(env, command, TIMEOUT);
  }

  private static Running start(Map<String, String> env, List<String> command, Duration timeout) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().putAll(env);
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Path out = Files.createTempFile("pgtls-interop-", ".out");
      Path err = Files.createTempFile("pgtls-interop-", ".err");
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      long started = System.nanoTime();
      return new Running(pb.start(), out, err, started, command, timeout);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command, e);
    }
  }

  static Outcome run(Map<String, String> env, List<String> command) {
    return start(env, command).finish();
  }

  /** {@link #run(Map, List)} for a process that may take longer than a client, such as a build. */
  static Outcome run(Map<String, String> env, List<String> command, Duration timeout) {
    return start(env, command, timeout).finish();
  }

  /** SIGINT, what Ctrl-C sends: libpq's command-line tools answer it with a CancelRequest. */
  static void interrupt(long pid) {
    Outcome kill = run(Map.of(), List.of("kill", "-INT", Long.toString(pid)));
    if (!kill.succeeded()) {
      throw new AssertionError("kill -INT " + pid + ": " + kill);
    }
  }

  /** Writes a script for an interpreter into a temporary file. */
  static Path script(String suffix, String text) {
    try {
      Path p = Files.createTempFile("pgtls-interop-", suffix);
      Files.writeString(p, text, StandardCharsets.UTF_8);
      p.toFile().deleteOnExit();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
