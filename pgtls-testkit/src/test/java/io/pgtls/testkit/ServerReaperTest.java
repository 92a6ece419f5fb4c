package io.pgtls.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ServerReaperTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(20);

  /**
   * pg_ctl daemonises the postmaster, so it is no child the JVM would take down with it: without
   * the shutdown hook a test run cut short by SIGTERM (Ctrl-C, a CI timeout) leaves it running.
   */
  @Test
  void terminatedJvmLeavesNoPostmasterRunning() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    AbandonedServerMain.class.getName()))
            .redirectErrorStream(true)
            .start();
    long pid;
    Path directory;
    try {
      Matcher started = awaitStartLine(child);
      pid = Long.parseLong(started.group(1));
      directory = Path.of(started.group(2));
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    } finally {
      child.destroy(); // SIGTERM: shutdown hooks run
    }

    assertThat(child.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("child JVM exited").isTrue();
    try {
      assertThat(exited(pid)).as("postmaster " + pid + " gone").isTrue();
      assertThat(directory).doesNotExist();
    } finally {
      // Should this test fail, the postmaster is not left behind; its children notice its death.
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static boolean exited(long pid) throws Exception {
    Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
    if (postmaster.isEmpty()) {
      return true;
    }
    try {
      postmaster.get().onExit().get(EXIT_WAIT.toSeconds(), TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    }
  }

  private static Matcher awaitStartLine(Process child) throws Exception {
    Pattern startLine = Pattern.compile("^pid=(\\d+) dir=(\\S+)$");
    StringBuilder seen = new StringBuilder();
    BufferedReader output =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    for (String line = output.readLine(); line != null; line = output.readLine()) {
      seen.append(line).append('\n');
      Matcher matcher = startLine.matcher(line);
      if (matcher.matches()) {
        return matcher;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    throw new AssertionError("The child JVM did not report a started server:\n" + seen);
  }
}
