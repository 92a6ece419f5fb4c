package io.pgtls.launcher;

import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** psql as a client; skipped without it, except under CI=true where a missing psql fails the test. */
final class Psql {
  record Result(int exit, String output) {}

  private Psql() {}

  static Result run(String conninfo, String sql) throws Exception {
    String psql = null;
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(d.isEmpty() ? "." : d, "psql");
      if (Files.isExecutable(candidate)) {
        psql = candidate.toString();
        break;
      }
    }
    if (psql == null) {
      String reason = "psql is not installed (Debian: apt-get install postgresql-client)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("CI=true and " + reason);
      }
      abort(reason);
    }
    ProcessBuilder pb = new ProcessBuilder(psql, "-X", "-A", "-t", "-d", conninfo, "-c", sql).redirectErrorStream(true);
    pb.environment().putAll(Map.of("PGPASSWORD", "secret", "PGCONNECT_TIMEOUT", "20"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return new Result(p.exitValue(), out);
  }
}
