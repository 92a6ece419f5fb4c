package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar reloading its whole configuration file as a process: on SIGHUP, on a change of
 * the file alone, and on {@code POST /reload}; a broken file leaves the running configuration in
 * service.
 */
@Timeout(180)
class ReloadJarIT {
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

  private static String route(String name, String bind, CertificateDir certs) {
    return """
        [[proxy]]
          name = "%s"
          [proxy.listener]
          bind_address = "%s"
          server_cert = "%s"
          server_key = "%s"
          [proxy.backend]
          address = "127.0.0.1:%d"
          tls_enabled = false
        """.formatted(name, bind, certs.cert, certs.key, postgres.port());
  }

  private static String admin(String extra) {
    return "drain_timeout = \"5s\"\n[admin]\nbind_address = \"127.0.0.1:0\"\n" + extra;
  }

  private static CertificateDir certs(String name) throws Exception {
    CertificateDir certs = new CertificateDir(dir.resolve(name));
    certs.install(pki.server("pgtls-" + name, "localhost", "127.0.0.1"));
    return certs;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String tls(int port) {
    return "host=localhost port=" + port + " dbname=app user=alice sslmode=verify-full sslrootcert="
        + pki.caCertificateFile();
  }

  /** The route's port, once the process watches its files (a change made before would go unseen). */
  private static int watching(PgTlsProcess pgtls, String route) throws Exception {
    pgtls.await("the configuration reloads on SIGHUP");
    return pgtls.routePort(route);
  }

  private static double metric(PgTlsProcess pgtls, String name) throws Exception {
    return AdminHttp.sample(AdminHttp.get(pgtls.adminPort(), "/metrics").body(), name);
  }

  @Test
  void sighupWithANewRouteOpensItsListenerAndTheOldRouteKeepsItsPort() throws Exception {
    CertificateDir certs = certs("added");
    Path file = dir.resolve("added.toml");
    Files.writeString(file, admin("") + route("main", "127.0.0.1:0", certs));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", file.toString())) {
      int mainPort = pgtls.routePort("main");
      BigInteger serial = TlsProbe.serial(mainPort);
      int newPort = freePort();
      Files.writeString(file, admin("") + route("main", "127.0.0.1:0", certs)
          + route("second", "127.0.0.1:" + newPort, certs));
      pgtls.signal("HUP");
      pgtls.await("configuration reloaded: generation 2: routes added \\[second\\]");

      Psql.Result viaNew = Psql.run(tls(newPort), "select 'second'");
      assertThat(viaNew.exit()).as(viaNew.output()).isZero();
      assertThat(viaNew.output().strip()).isEqualTo("second");
      assertThat(TlsProbe.serial(mainPort)).as("the old route on the port it had").isEqualTo(serial);
      assertThat(metric(pgtls, "pgtls_config_generation")).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aBrokenFileKeepsTheRunningConfigurationAndIsLoggedAtItsLineAndCounted() throws Exception {
    CertificateDir certs = certs("broken");
    Path file = dir.resolve("broken.toml");
    Files.writeString(file, admin("") + route("main", "127.0.0.1:0", certs));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", file.toString())) {
      int port = watching(pgtls, "main");
      Files.writeString(file, admin("") + route("main", "127.0.0.1:0", certs) + "[[proxy\n");
      String error = pgtls.await("(ERROR .*configuration not reloaded.*)");
      assertThat(error).contains(file + ":").contains("invalid TOML");

      assertThat(metric(pgtls, "pgtls_config_reload_failures_total")).isEqualTo(1);
      assertThat(metric(pgtls, "pgtls_config_generation")).isEqualTo(1);
      Psql.Result ok = Psql.run(tls(port), "select 1");
      assertThat(ok.exit()).as(ok.output()).isZero();
    }
  }

  @Test
  void aChangedFileWithoutASignalReloadsExactlyOnce() throws Exception {
    CertificateDir certs = certs("watched");
    Path file = dir.resolve("watched.toml");
    Files.writeString(file, admin("") + route("main", "127.0.0.1:0", certs));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", file.toString())) {
      int port = watching(pgtls, "main");
      Files.writeString(file, "log_level = \"debug\"\n" + admin("") + route("main", "127.0.0.1:0", certs));
      pgtls.await("configuration reloaded: generation 2");
      Thread.sleep(3000); // past the watcher's debounce: no second reload follows
      assertThat(metric(pgtls, "pgtls_config_generation")).isEqualTo(2);
      assertThat(metric(pgtls, "pgtls_config_reloads_total")).isEqualTo(1);
      assertThat(pgtls.output()).doesNotContain("generation 3");
      Psql.Result ok = Psql.run(tls(port), "select 1");
      assertThat(ok.exit()).as(ok.output()).isZero();
    }
  }

  @Test
  void aConfigMapStyleDataSwapReloadsExactlyOnce() throws Exception {
    // A Kubernetes ConfigMap volume: pgtls.toml -> ..data/pgtls.toml, ..data -> ..v1; an update
    // writes ..v2 and swaps the ..data link atomically, so the file named never changes itself.
    CertificateDir certs = certs("configmap");
    Path volume = Files.createDirectories(dir.resolve("configmap-volume"));
    Path v1 = Files.createDirectories(volume.resolve("..v1"));
    Files.writeString(v1.resolve("pgtls.toml"), admin("") + route("main", "127.0.0.1:0", certs));
    Files.createSymbolicLink(volume.resolve("..data"), v1.getFileName());
    Path file = Files.createSymbolicLink(volume.resolve("pgtls.toml"), Path.of("..data", "pgtls.toml"));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", file.toString())) {
      int port = watching(pgtls, "main");
      Path v2 = Files.createDirectories(volume.resolve("..v2"));
      Files.writeString(v2.resolve("pgtls.toml"), "log_level = \"debug\"\n" + admin("")
          + route("main", "127.0.0.1:0", certs));
      Path tmp = Files.createSymbolicLink(volume.resolve("..data_tmp"), v2.getFileName());
      Files.move(tmp, volume.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      pgtls.await("configuration reloaded: generation 2");
      Thread.sleep(3000); // past the watcher's debounce: no second reload follows
      assertThat(metric(pgtls, "pgtls_config_reloads_total")).isEqualTo(1);
      assertThat(metric(pgtls, "pgtls_config_generation")).isEqualTo(2);
      Psql.Result ok = Psql.run(tls(port), "select 1");
      assertThat(ok.exit()).as(ok.output()).isZero();
    }
  }

  @Test
  void postReloadFromLoopbackAnswersTheSummaryAndAConfiguredTokenIsRequiredEvenThere() throws Exception {
    CertificateDir certs = certs("admin");
    Path open = dir.resolve("admin-open.toml");
    Files.writeString(open, admin("") + route("main", "127.0.0.1:0", certs));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", open.toString())) {
      int admin = pgtls.adminPort();
      assertThat(AdminHttp.get(admin, "/reload").status()).isEqualTo(405);
      AdminHttp.Response reloaded = AdminHttp.post(admin, "/reload", null);
      assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(200);
      assertThat(reloaded.body()).contains("generation 2");
    }

    Path token = Files.writeString(dir.resolve("reload.token"), "s3cret-token\n");
    Path guarded = dir.resolve("admin-token.toml");
    Files.writeString(guarded, admin("reload_token_file = \"" + token + "\"\n") + route("main", "127.0.0.1:0", certs));
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", guarded.toString())) {
      int admin = pgtls.adminPort();
      assertThat(AdminHttp.post(admin, "/reload", null).status()).as("no token, on loopback").isEqualTo(403);
      assertThat(AdminHttp.post(admin, "/reload", "Bearer wrong").status()).isEqualTo(403);
      assertThat(metric(pgtls, "pgtls_config_reloads_total")).as("a refused request reloads nothing").isZero();
      AdminHttp.Response reloaded = AdminHttp.post(admin, "/reload", "Bearer s3cret-token");
      assertThat(reloaded.status()).as(reloaded.body()).isEqualTo(200);
      assertThat(reloaded.body()).contains("generation 2");
    }
  }
}
