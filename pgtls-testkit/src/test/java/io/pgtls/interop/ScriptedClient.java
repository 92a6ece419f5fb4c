package io.pgtls.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client driven as a process that runs one action, {@code query} or {@code cancel} (which
 * starts the statement and cancels it its own way), and reports what happened.
 */
abstract class ScriptedClient implements InteropClient {
  @Override
  public final Outcome query(Endpoint endpoint, String sql) {
    return run(endpoint, "query", sql);
  }

  @Override
  public final Outcome cancel(Endpoint endpoint, String sql, Runnable running) {
    return run(endpoint, "cancel", sql);
  }

  /** Runs the client's process for {@code action} against {@code endpoint} and reads its outcome. */
  abstract Outcome run(Endpoint endpoint, String action, String sql);

  /** What each Python module check found, asked once per test JVM. */
  private static final Map<String, Boolean> IMPORTABLE = new ConcurrentHashMap<>();

  /** Skips (fails under CI=true) unless {@code python} exists and imports {@code module}. */
  static void requirePythonModule(Path python, String module, String debianPackage) {
    boolean importable = IMPORTABLE.computeIfAbsent(python + " " + module, k -> Files.isExecutable(python)
        && Processes.run(Map.of(), List.of(python.toString(), "-c", "import " + module)).succeeded());
    if (!importable) {
      Installed.missing(module + " is not importable by " + python + " (Debian: apt-get install " + debianPackage + ")");
    }
  }
}
