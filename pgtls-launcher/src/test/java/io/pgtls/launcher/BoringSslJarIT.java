package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pgtls.jar with {@code tls_engine = "boringssl"} in front of a real PostgreSQL: the start-up log
 * names the engine, psql connects with sslmode=verify-full and a client certificate, the backend
 * leg is verified in full, /metrics says which engine serves; on Java 25 nothing warns at start:
 * not about native access (the manifest's Enable-Native-Access), nor about netty's sun.misc.Unsafe.
 */
class BoringSslJarIT {
  /** Where the build machines keep a Temurin 25 (override with -Dpgtls.test.java25=/path/to/bin/java). */
  private static final Path JAVA_25 = Path.of(System.getProperty("pgtls.test.java25",
      "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));

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

  private static Path config() throws Exception {
    return Files.writeString(dir.resolve("boringssl.toml"), String.join("\n",
        "tls_engine = \"boringssl\"",
        "[admin]",
        "bind_address = \"127.0.0.1:0\"",
        "",
        "[[proxy]]",
        "name = \"mtls\"",
        "  [proxy.listener]",
        "  bind_address = \"127.0.0.1:0\"",
        "  server_cert = \"" + proxyCert.certificateFile() + "\"",
        "  server_key = \"" + proxyCert.privateKeyFile() + "\"",
        "  mtls = true",
        "  client_ca = \"" + pki.caCertificateFile() + "\"",
        "",
        "  [proxy.backend]",
        "  address = \"localhost:" + postgres.port() + "\"",
        "  tls_enabled = true",
        "  root_ca = \"" + pki.caCertificateFile() + "\"",
        ""));
  }

  @Test
  void psqlVerifyFullGoesThroughBoringSslOnBothLegsAndTheLogAndMetricsNameIt() throws Exception {
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", config().toString())) {
      assertThat(pgtls.await("(TLS engine: .*)")).startsWith("TLS engine: boringssl (BoringSSL")
          .contains("netty-tcnative 2.0.84").endsWith("tls_engine = \"boringssl\")");
      int port = pgtls.routePort("mtls");
      String conninfo = "host=localhost port=" + port + " dbname=app user=alice sslmode=verify-full"
          + " channel_binding=disable sslrootcert=" + pki.caCertificateFile()
          + " sslcert=" + alice.certificateFile() + " sslkey=" + alice.privateKeyFile();
      Psql.Result ok = Psql.run(conninfo, "select ssl from pg_stat_ssl where pid = pg_backend_pid()");
      assertThat(ok.exit()).as(ok.output() + "\n" + pgtls.output()).isZero();
      assertThat(ok.output().strip()).isEqualTo("t");

      String metrics = AdminHttp.get(pgtls.adminPort(), "/metrics").body();
      assertThat(metrics).contains("pgtls_tls_engine{engine=\"boringssl\"} 1").doesNotContain("engine=\"jdk\"");

      pgtls.signal("TERM");
      assertThat(pgtls.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(pgtls.process.exitValue()).as(pgtls.output()).isZero();
      assertThat(pgtls.output()).doesNotContain("LEAK:");
    }
  }

  private static void requireJava25() {
    if (!Files.isExecutable(JAVA_25)) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true and no Java 25 at " + JAVA_25);
      }
      Assumptions.abort("no Java 25 at " + JAVA_25 + " (set -Dpgtls.test.java25)");
    }
  }

  @Test
  void onJava25ThroughBinPgtlsNettyMayUseUnsafeAndNothingWarns() throws Exception {
    requireJava25();
    try (PgTlsProcess pgtls = PgTlsProcess.startScript(JAVA_25.getParent().getParent(), "--config",
        config().toString())) {
      assertStartsQuietly(pgtls);
      assertThat(pgtls.output()).doesNotContain("io.netty.noUnsafe");
    }
  }

  @Test
  void onJava25WithJavaJarNettyStaysOffUnsafeAndNothingWarns() throws Exception {
    requireJava25();
    try (PgTlsProcess pgtls = PgTlsProcess.startOn(JAVA_25, "--config", config().toString())) {
      assertStartsQuietly(pgtls);
      assertThat(pgtls.output()).contains("io.netty.noUnsafe set to 'true'");
    }
  }

  /** Serves psql on the BoringSSL engine, stops, and printed no JDK warning on the way. */
  private static void assertStartsQuietly(PgTlsProcess pgtls) throws Exception {
    int port = pgtls.routePort("mtls");
    Psql.Result ok = Psql.run("host=localhost port=" + port + " dbname=app user=alice sslmode=verify-full"
        + " channel_binding=disable sslrootcert=" + pki.caCertificateFile() + " sslcert=" + alice.certificateFile()
        + " sslkey=" + alice.privateKeyFile(), "select 1");
    assertThat(ok.exit()).as(ok.output()).isZero();
    pgtls.signal("TERM");
    assertThat(pgtls.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    // The JDK's warnings go to standard error as lines of their own, starting "WARNING: ".
    assertThat(pgtls.output()).contains("TLS engine: boringssl");
    assertThat(pgtls.output().lines().filter(l -> l.startsWith("WARNING:"))).as(pgtls.output()).isEmpty();
    assertThat(pgtls.output()).doesNotContain("restricted method").doesNotContain("--enable-native-access");
  }
}
