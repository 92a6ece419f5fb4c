package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged {@code pgtls.jar} running as a process, its output collected line by line. */
final class PgTlsProcess implements AutoCloseable {
  final Process process;
  private final List<String> lines = new ArrayList<>();
  private boolean endOfOutput;

  private PgTlsProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (Exception ignored) {
        // process ended
      } finally {
        synchronized (lines) {
          endOfOutput = true;
          lines.notifyAll();
        }
      }
    }, "pgtls-output");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts the jar with SIGHUP at its default action even where this JVM inherited it ignored
   * (Maven run under nohup, some CI runners): the child would inherit that too, and the JVM keeps
   * an inherited-ignored SIGHUP ignored.
   */
  static PgTlsProcess start(String... args) throws Exception {
    return start(sighupIgnoredHere() ? List.of("env", "--default-signal=HUP") : List.of(), args);
  }

  /** Starts the jar under nohup(1), which runs it with SIGHUP ignored. */
  static PgTlsProcess startUnderNohup(String... args) throws Exception {
    return start(List.of("nohup"), args);
  }

  /** Whether this process runs with SIGHUP (signal 1) ignored: bit 0 of SigIgn in /proc/self/status. */
  static boolean sighupIgnoredHere() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16) & 1L) != 0;
      }
    }
    return false;
  }

  private static PgTlsProcess start(List<String> prefix, String... args) throws Exception {
    return start(prefix, Path.of(System.getProperty("java.home"), "bin", "java"), args);
  }

  /** Starts the jar on the Java runtime {@code java} (a path to its {@code bin/java}). */
  static PgTlsProcess startOn(Path java, String... args) throws Exception {
    return start(sighupIgnoredHere() ? List.of("env", "--default-signal=HUP") : List.of(), java, args);
  }

  /** Starts {@code bin/pgtls} (which runs target/pgtls.jar) with {@code javaHome} as JAVA_HOME. */
  static PgTlsProcess startScript(Path javaHome, String... args) throws Exception {
    assertThat(Path.of("target", "pgtls.jar")).as("mvn package builds it before the integration tests").exists();
    List<String> command = new ArrayList<>(sighupIgnoredHere() ? List.of("env", "--default-signal=HUP") : List.of());
    command.add(Path.of("bin", "pgtls").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", javaHome.toString());
    pb.environment().remove("JAVA_OPTS");
    return new PgTlsProcess(pb.start());
  }

  private static PgTlsProcess start(List<String> prefix, Path java, String... args) throws Exception {
    Path jar = Path.of("target", "pgtls.jar");
    assertThat(jar).as("mvn package builds it before the integration tests").exists();
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(java.toString(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    return new PgTlsProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
  }

  /**
   * Group 1 of the first output line matching {@code regex}, waiting up to 60 s for it, or until
   * the output ends (which may be after the process has exited: the pipe is read on).
   */
  String await(String regex) throws InterruptedException {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    synchronized (lines) {
      int checked = 0;
      while (true) {
        for (; checked < lines.size(); checked++) {
          Matcher m = p.matcher(lines.get(checked));
          if (m.find()) {
            return m.groupCount() > 0 ? m.group(1) : m.group();
          }
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || endOfOutput) {
          throw new AssertionError("no line matching " + regex + " in:\n" + output());
        }
        lines.wait(Math.min(left, 200));
      }
    }
  }

  int routePort(String route) throws InterruptedException {
    return Integer.parseInt(await("route '" + Pattern.quote(route) + "' listening on 127\\.0\\.0\\.1:(\\d+)"));
  }

  int adminPort() throws InterruptedException {
    return Integer.parseInt(await("admin endpoint listening on 127\\.0\\.0\\.1:(\\d+)"));
  }

  /**
   * Sends signal {@code name} with kill(1). Not {@code Process.destroy()} for SIGTERM: the JDK's
   * ProcessImpl closes the child's stdout right after signalling it, so every line logged while the
   * process drains would be lost.
   */
  void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
  }

  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
