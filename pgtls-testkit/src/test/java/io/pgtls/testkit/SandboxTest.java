package io.pgtls.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's first command: what it prints must work, and stopping it must leave nothing. */
class SandboxTest {
  @Test
  void printedPsqlLineConnectsWithVerifyFullAndClientDefaults() throws Exception {
    Path directory;
    try (Sandbox sandbox = Sandbox.start()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      sandbox.printInstructions(new PrintStream(out, true, StandardCharsets.UTF_8));
      Matcher m = Pattern.compile("psql \"([^\"]+)\"").matcher(out.toString(StandardCharsets.UTF_8));
      assertThat(m.find()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
      String conninfo = m.group(1);
      assertThat(conninfo).contains("sslmode=verify-full");
      directory = sandbox.caCertificateFile().getParent().getParent();

      // psql, exactly as printed: libpq's default channel_binding=prefer picks
      // SCRAM-SHA-256-PLUS, which only passes because the proxy shows PostgreSQL's certificate.
      ProcessBuilder pb = new ProcessBuilder(psql(), "-X", "-A", "-t", "-d", conninfo, "-c",
          "select ssl from pg_stat_ssl where pid = pg_backend_pid()");
      pb.redirectErrorStream(true);
      Process p = pb.start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(output).isZero();
      assertThat(output.strip()).isEqualTo("t");

      try (Connection c = DriverManager.getConnection(sandbox.jdbcUrl() + "&channelBinding=require");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select current_user")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("sandbox");
      }
    }
    assertThat(Files.exists(directory)).as("sandbox directory deleted").isFalse();
  }

  private static String psql() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "psql");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    String reason = "psql is not installed (Debian: apt-get install postgresql-client)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    org.junit.jupiter.api.Assumptions.abort(reason);
    return null;
  }
}
