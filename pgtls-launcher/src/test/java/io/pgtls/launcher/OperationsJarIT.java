package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as an operator runs it: signals from {@code kill}, the admin endpoint over
 * HTTP, psql as the client, JSON logs, a proxy from command-line options alone.
 */
class OperationsJarIT {
  @TempDir static Path dir;
  private static TestPki pki;
  private static PostgresServer postgres;

  @BeforeAll
  static void start() {
    pki = TestPki.create(dir.resolve("pki"));
    postgres = PostgresServer.builder().user("alice", "secret").database("app").start();
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static Path config(String name, CertificateDir certs, String drainTimeout) throws Exception {
    return Files.writeString(dir.resolve(name + ".toml"),
        "log_format = \"json\"\n" + OneRouteToml.of(drainTimeout, certs, postgres.port()));
  }

  private static String tls(int port) {
    return "host=localhost port=" + port + " dbname=app user=alice sslmode=verify-full sslrootcert="
        + pki.caCertificateFile();
  }

  @Test
  void metricsOfARealProcessCountAPsqlSessionAndAPlaintextRefusalInJsonLogs() throws Exception {
    CertificateDir certs = new CertificateDir(dir.resolve("metrics"));
    certs.install(pki.server("pgtls-metrics", "localhost", "127.0.0.1"));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", config("metrics", certs, "10s").toString())) {
      int port = pgtls.routePort("main");
      int admin = pgtls.adminPort();
      String before = AdminHttp.get(admin, "/metrics").body();

      Psql.Result ok = Psql.run(tls(port), "select 1");
      assertThat(ok.exit()).as(ok.output()).isZero();
      Psql.Result plain = Psql.run("host=localhost port=" + port + " dbname=app user=alice sslmode=disable", "select 1");
      assertThat(plain.output()).contains("FATAL:  pgtls route 'main' requires an encrypted connection");

      String after = AdminHttp.get(admin, "/metrics").body();
      assertThat(AdminHttp.sample(after, "pgtls_sessions_total{route=\"main\"}"))
          .isEqualTo(AdminHttp.sample(before, "pgtls_sessions_total{route=\"main\"}") + 1);
      assertThat(AdminHttp.sample(after, "pgtls_refusals_total{route=\"main\",reason=\"plaintext\"}"))
          .isEqualTo(AdminHttp.sample(before, "pgtls_refusals_total{route=\"main\",reason=\"plaintext\"}") + 1);
      assertThat(pgtls.output().lines()).isNotEmpty()
          .allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}").contains("\"level\":"));
    }
  }

  @Test
  void sighupReloadsCertificatesOfARealProcess() throws Exception {
    CertificateDir certs = new CertificateDir(dir.resolve("sighup"));
    BigInteger oldSerial = certs.install(pki.server("pgtls-hup-old", "localhost", "127.0.0.1"));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", config("sighup", certs, "10s").toString())) {
      int port = pgtls.routePort("main");
      assertThat(TlsProbe.serial(port)).isEqualTo(oldSerial);

      pgtls.signal("HUP");
      pgtls.await("reloading the configuration: SIGHUP");
      pgtls.await("configuration reloaded: generation 2");
      assertThat(pgtls.process.isAlive()).as("SIGHUP does not end the process").isTrue();
      assertThat(pgtls.output()).doesNotContain("SIGHUP is ignored");

      BigInteger newSerial = certs.install(pki.server("pgtls-hup-new", "localhost", "127.0.0.1"));
      pgtls.signal("HUP");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      BigInteger seen = oldSerial;
      while (!seen.equals(newSerial) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        seen = TlsProbe.serial(port);
      }
      assertThat(seen).isEqualTo(newSerial);
      Psql.Result ok = Psql.run(tls(port), "select 1");
      assertThat(ok.exit()).as(ok.output()).isZero();
    }
  }

  @Test
  void sighupIgnoredByTheParentIsReportedAtStartNotSilentlyLost() throws Exception {
    CertificateDir certs = new CertificateDir(dir.resolve("nohup"));
    certs.install(pki.server("pgtls-nohup", "localhost", "127.0.0.1"));
    try (PgTlsProcess pgtls = PgTlsProcess.startUnderNohup("--config", config("nohup", certs, "10s").toString())) {
      int port = pgtls.routePort("main");
      pgtls.await("SIGHUP is ignored in this process \\(started under nohup");

      pgtls.signal("HUP");
      Psql.Result ok = Psql.run(tls(port), "select 1");
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertThat(pgtls.process.isAlive()).isTrue();
    }
  }

  @Test
  void sigtermDrainsALongQueryWhileNotReadyAndExitsZero() throws Exception {
    CertificateDir certs = new CertificateDir(dir.resolve("drain"));
    certs.install(pki.server("pgtls-drain", "localhost", "127.0.0.1"));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", config("drain", certs, "20s").toString())) {
      int port = pgtls.routePort("main");
      int admin = pgtls.adminPort();
      assertThat(AdminHttp.get(admin, "/ready").status()).isEqualTo(200);
      CompletableFuture<Psql.Result> longQuery = CompletableFuture.supplyAsync(() -> {
        try {
          return Psql.run(tls(port), "select 'slept' from pg_sleep(3)");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      pgtls.await(": session user=alice database=app");
      Thread.sleep(300);
      long stopAt = System.nanoTime();
      pgtls.signal("TERM");

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      int ready = 200;
      while (ready == 200 && System.nanoTime() < deadline) {
        ready = AdminHttp.get(admin, "/ready").status();
      }
      assertThat(ready).as("/ready while draining").isEqualTo(503);
      Thread.sleep(100);
      assertThatThrownBy(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        }
      }).as("new connections while draining").isInstanceOf(ConnectException.class);

      Psql.Result slept = longQuery.get(20, TimeUnit.SECONDS);
      assertThat(slept.exit()).as(slept.output()).isZero();
      assertThat(slept.output().strip()).isEqualTo("slept");
      assertThat(pgtls.process.waitFor(20, TimeUnit.SECONDS)).as("exits after the drain").isTrue();
      assertThat(pgtls.process.exitValue()).as(pgtls.output()).isZero();
      assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopAt)).isLessThan(15);
      pgtls.await("stopped; every session finished");
    }
  }

  @Test
  void commandLineOptionsAloneRunAWorkingProxyWithoutAFile() throws Exception {
    CertificateDir certs = new CertificateDir(dir.resolve("cli"));
    certs.install(pki.server("pgtls-cli", "localhost", "127.0.0.1"));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--listen", "127.0.0.1:0", "--backend", "127.0.0.1:" + postgres.port(),
        "--cert", certs.cert.toString(), "--key", certs.key.toString(), "--backend-plaintext",
        "--admin", "127.0.0.1:0")) {
      int port = pgtls.routePort("proxy-1");
      Psql.Result ok = Psql.run(tls(port), "select ssl from pg_stat_ssl where pid = pg_backend_pid()");
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertThat(ok.output().strip()).as("backend leg is plaintext as asked").isEqualTo("f");
      assertThat(AdminHttp.get(pgtls.adminPort(), "/health").status()).isEqualTo(200);
      pgtls.signal("TERM");
      assertThat(pgtls.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(pgtls.process.exitValue()).as(pgtls.output()).isZero();
    }
  }
}
