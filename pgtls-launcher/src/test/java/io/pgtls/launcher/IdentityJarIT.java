package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with client certificates as identity, configured in TOML: the FATAL a client
 * reads, the audit event in the JSON log, and the certificate and CRL gauges in {@code /metrics}.
 */
class IdentityJarIT {
  /** The audit event's keys, in order: a log pipeline depends on them. */
  private static final List<String> AUDIT_KEYS = List.of("event", "conn_id", "client_address", "listener", "route",
      "server_name", "tls_version", "tls_cipher", "client_cert_subject", "client_cert_san", "client_cert_serial",
      "client_cert_sha256", "client_cert_not_after", "identity", "map_line", "user", "database", "application_name",
      "decision", "reason", "backend_address", "bytes_client_to_backend", "bytes_backend_to_client", "duration_ms",
      "closed_by");

  @TempDir static Path dir;
  private static TestPki pki;
  private static TestPki users;
  private static IssuedCertificate alice;
  private static PostgresServer postgres;

  @BeforeAll
  static void start() {
    pki = TestPki.create(dir.resolve("pki"));
    users = TestPki.create(dir.resolve("users"), "users CA");
    alice = users.client(TestPki.ClientSpec.commonName("alice").emails("alice@example.com"));
    postgres = PostgresServer.builder().user("alice", "secret").database("app").start();
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void anEmailIdentityMapsToItsUserEveryConnectionIsAuditedAndTheCrlIsAGauge() throws Exception {
    CertificateDir certs = new CertificateDir(dir.resolve("listener"));
    certs.install(pki.server("pgtls-identity", "localhost", "127.0.0.1"));
    Instant nextUpdate = Instant.now().plus(Duration.ofDays(7));
    Path crl = users.crl(List.of(), nextUpdate);
    Path config = Files.writeString(dir.resolve("identity.toml"), """
        log_format = "json"
        [admin]
        bind_address = "127.0.0.1:0"
        [[proxy]]
          name = "main"
          [proxy.listener]
          bind_address = "127.0.0.1:0"
          server_cert = "%s"
          server_key = "%s"
          client_cert = "required"
          client_ca = "%s"
          client_crl = "%s"
          [proxy.identity]
          source = "san_email"
          map = "mail"
          map_lines = ['mail /^(.*)@example\\.com$ \\1']
          [proxy.backend]
          address = "127.0.0.1:%d"
          tls_enabled = false
        """.formatted(certs.cert, certs.key, users.caCertificateFile(), crl, postgres.port()));
    String tls = "host=localhost dbname=app sslmode=verify-full sslrootcert=" + pki.caCertificateFile()
        + " sslcert=" + alice.certificateFile() + " sslkey=" + alice.privateKeyFile();
    try (PgTlsProcess pgtls = PgTlsProcess.start("--config", config.toString())) {
      int port = pgtls.routePort("main");

      Psql.Result ok = Psql.run(tls + " port=" + port + " user=alice", "select current_user");
      assertThat(ok.exit()).as(ok.output()).isZero();
      assertThat(ok.output().strip()).isEqualTo("alice");
      Psql.Result bob = Psql.run(tls + " port=" + port + " user=bob", "select 1");
      assertThat(bob.output()).contains("FATAL:  certificate authentication failed for user \"bob\"");

      String accepted = pgtls.await("(\\{[^\\n]*\"io\\.pgtls\\.audit\"[^\\n]*\"decision\":\"accepted\"[^\\n]*\\})");
      String refused = pgtls.await("(\\{[^\\n]*\"io\\.pgtls\\.audit\"[^\\n]*\"decision\":\"refused\"[^\\n]*\\})");
      for (String event : List.of(accepted, refused)) {
        assertThat(event).contains("\"kvpList\"");
        int at = 0;
        for (String key : AUDIT_KEYS) {
          int next = event.indexOf("\"" + key + "\":", at);
          assertThat(next).as("key %s in order in %s", key, event).isGreaterThan(at);
          at = next;
        }
      }
      assertThat(accepted).contains("\"identity\":\"alice@example.com\"").contains("\"user\":\"alice\"")
          .contains("\"client_cert_san\":\"email:alice@example.com\"").contains("\"closed_by\":\"client\"");
      assertThat(refused).contains("\"user\":\"bob\"").contains("\"reason\":\"certificate_authentication\"");

      String metrics = AdminHttp.get(pgtls.adminPort(), "/metrics").body();
      assertThat(AdminHttp.sample(metrics, "pgtls_client_crl_next_update_seconds{route=\"main\",file=\"" + crl + "\"}"))
          .isEqualTo((double) nextUpdate.getEpochSecond());
      assertThat(AdminHttp.sample(metrics, "pgtls_certificate_not_after_seconds{route=\"main\",certificate=\"client_ca\"}"))
          .isEqualTo((double) users.caCertificate().getNotAfter().toInstant().getEpochSecond());
      assertThat(AdminHttp.sample(metrics, "pgtls_refusals_total{route=\"main\",reason=\"certificate_authentication\"}"))
          .isEqualTo(1.0);
    }
  }
}
