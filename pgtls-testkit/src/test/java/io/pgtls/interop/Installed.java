package io.pgtls.interop;

import static org.junit.jupiter.api.Assumptions.abort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the client programs of the matrix. A missing one skips its tests with a reason on a
 * developer's machine and fails them under CI=true, where .ci/run should have installed it.
 */
final class Installed {
  private Installed() {}

  static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips the calling test, or fails it under CI=true. */
  static void missing(String reason) {
    if (underCi()) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
  }

  /** {@code program} on the PATH or in one of {@code extraDirectories}. */
  static Optional<Path> find(String program, String... extraDirectories) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    for (String dir : extraDirectories) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The program's path, or skips (fails under CI=true) naming how to install it. */
  static Path require(String program, String install, String... extraDirectories) {
    Optional<Path> p = find(program, extraDirectories);
    if (p.isEmpty()) {
      missing(program + " is not installed (" + install + "); .ci/run installs it");
    }
    return p.orElseThrow();
  }
}
