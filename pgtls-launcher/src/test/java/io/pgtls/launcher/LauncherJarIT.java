package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged {@code pgtls.jar}, run as a process from a TOML file in the original project's
 * schema, in front of a real PostgreSQL: mTLS on the client leg, TLS on the backend leg, psql
 * with sslmode=verify-full; SIGTERM ends it with status 0.
 */
class LauncherJarIT {
  @TempDir static Path dir;
  private static TestPki pki;
  private static IssuedCertificate proxyCert;
  private static IssuedCertificate alice;
  private static PostgresServer postgres;

  @BeforeAll
  static void start() {
    pki = TestPki.create(dir.resolve("pki"));
    IssuedCertificate pgCert = pki.server("postgres", "localhost", "127.0.0.1");
    proxyCert = pki.server("pgtls", "localhost", "127.0.0.1");
    alice = pki.client("alice");
    postgres = PostgresServer.builder().ssl(pgCert.certificateFile(), pgCert.privateKeyFile())
        .user("alice", "secret").database("app").start();
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static Path jar() {
    Path jar = Path.of("target", "pgtls.jar");
    assertThat(jar).as("mvn package builds it before the integration tests").exists();
    return jar;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private Path config() throws Exception {
    String toml = String.join("\n",
        "log_level = \"info\"",
        "",
        "[[proxy]]",
        "  [proxy.listener]",
        "  bind_address = \"127.0.0.1:0\"",
        "  server_cert = \"" + proxyCert.certificateFile() + "\"",
        "  server_key = \"" + proxyCert.privateKeyFile() + "\"",
        "  mtls = true",
        "  client_ca = \"" + pki.caCertificateFile() + "\"",
        "",
        "  [proxy.backend]",
        "  address = \"127.0.0.1:" + postgres.port() + "\"",
        "  tls_enabled = true",
        "  root_ca = \"" + pki.caCertificateFile() + "\"",
        "",
        "[[proxy]]",
        "  [proxy.listener]",
        "  bind_address = \"127.0.0.1:0\"",
        "  server_cert = \"" + proxyCert.certificateFile() + "\"",
        "  server_key = \"" + proxyCert.privateKeyFile() + "\"",
        "",
        "  [proxy.backend]",
        "  address = \"127.0.0.1:" + postgres.port() + "\"",
        "  tls_enabled = false",
        "");
    return Files.writeString(dir.resolve("pgtls.toml"), toml);
  }

  @Test
  void jarRunsTheOriginalSchemaInFrontOfPostgresAndExitsZeroOnSigterm() throws Exception {
    Process pgtls = new ProcessBuilder(java(), "-jar", jar().toString(), "--config", config().toString())
        .redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    List<String> all = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(pgtls.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (Exception ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      int mtlsPort = awaitPort(lines, all, "proxy-1");
      int plainPort = awaitPort(lines, all, "proxy-2");
      // The jar built on Linux x86_64 or aarch64 carries the native provider, and "auto" takes it.
      if (CryptoProvidersTest.nativeProviderInThisBuild()) {
        assertThat(all).as("startup log").anyMatch(line -> line.contains("crypto: Amazon Corretto Crypto Provider"));
      }

      String mtls = "host=localhost port=" + mtlsPort + " dbname=app user=alice sslmode=verify-full"
          + " channel_binding=disable sslrootcert=" + pki.caCertificateFile()
          + " sslcert=" + alice.certificateFile() + " sslkey=" + alice.privateKeyFile();
      Psql.Result ok = Psql.run(mtls, "select ssl from pg_stat_ssl where pid = pg_backend_pid()");
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertThat(ok.output().strip()).isEqualTo("t");

      Psql.Result plain = Psql.run("host=localhost port=" + plainPort + " dbname=app user=alice sslmode=disable", "select 1");
      assertThat(plain.exit()).isNotZero();
      assertThat(plain.output()).contains("FATAL:  pgtls route 'proxy-2' requires an encrypted connection");

      // Like PostgreSQL: no session tickets and no resumption, in TLS 1.3 and 1.2 alike (openssl's
      // -reconnect connects six times and resumes when it can).
      assertThat(all).as("startup log").anyMatch(line -> line.contains("jdk.tls.server.enableSessionTicketExtension set to"));
      for (String version : List.of("-tls1_3", "-tls1_2")) {
        String out = opensslReconnect(plainPort, version);
        assertThat(out).as(version + ": " + out).doesNotContain("TLS session ticket").doesNotContain("Reused,");
        assertThat(out.split("\nNew, TLSv1\\.[23]", -1)).as(version + ": six new sessions; " + out).hasSize(7);
      }

      pgtls.destroy(); // SIGTERM
      assertThat(pgtls.waitFor(20, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
      assertThat(pgtls.exitValue()).as(String.join("\n", all)).isZero();
    } finally {
      pgtls.destroyForcibly();
    }
  }

  /** openssl s_client -reconnect through PostgreSQL's SSLRequest, its standard input empty; its output. */
  private static String opensslReconnect(int port, String version) throws Exception {
    Process p = new ProcessBuilder("openssl", "s_client", "-starttls", "postgres", "-connect", "127.0.0.1:" + port,
        version, "-reconnect").redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void checkOfAConfigWithAMissingCertificateExitsOneNamingTheRoute() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.toml"), Files.readString(config())
        .replace(proxyCert.certificateFile().toString(), dir.resolve("missing.pem").toString()));
    Process p = new ProcessBuilder(java(), "-jar", jar().toString(), "--check", "--config", bad.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(1);
    assertThat(out).contains("route 'proxy-1': listener server_cert/server_key: ").contains("missing.pem");
  }

  private static int awaitPort(BlockingQueue<String> lines, List<String> all, String route) throws Exception {
    Pattern p = Pattern.compile("route '" + Pattern.quote(route) + "' listening on 127\\.0\\.0\\.1:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (String seen : all) {
      Matcher m = p.matcher(seen);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        continue;
      }
      all.add(line);
      Matcher m = p.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("no 'listening' line for " + route + " in:\n" + String.join("\n", all));
  }
}
