package io.pgtls.e2e;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs libpq's command-line clients (psql, pgbench) as real processes. A missing tool skips the
 * test with a reason on a developer's machine, and fails it under CI=true, so that a missing
 * install step in CI shows.
 */
final class ClientTools {
  private ClientTools() {}

  /** What a finished process left behind. */
  static final class Result {
    final int exitCode;
    final String stdout;
    final String stderr;

    Result(int exitCode, String stdout, String stderr) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  /** The path of {@code tool}, or skips (fails under CI=true) when it is not installed. */
  static String require(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    String reason = tool + " is not installed (Debian: apt-get install postgresql-client); .ci/run installs it";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
    return null;
  }

  static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Path out = Files.createTempFile("pgtls-tool-", ".out");
    Path err = Files.createTempFile("pgtls-tool-", ".err");
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command));
    }
    Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return r;
  }

  /** psql -X -A -t -c SQL with a conninfo string; the password comes from PGPASSWORD. */
  static Result psql(String conninfo, String password, String sql) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(require("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo,
        "-c", sql));
    return run(Map.of("PGPASSWORD", password, "PGCONNECT_TIMEOUT", "20"), cmd.toArray(new String[0]));
  }
}
