package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import io.pgtls.testkit.junit.StartStop;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** One audit event per connection, with the same keys whatever happened to it. */
class AuditEventTest {
  /** The stable key set, in order, as a log pipeline relies on it. */
  private static final List<String> KEYS = List.of("event", "conn_id", "client_address", "peer_address",
      "proxy_header", "listener", "route",
      "server_name", "tls_version", "tls_cipher", "client_cert_subject", "client_cert_san", "client_cert_serial",
      "client_cert_sha256", "client_cert_not_after", "identity", "map_line", "user", "database", "application_name",
      "decision", "reason", "backend_address", "bytes_client_to_backend", "bytes_backend_to_client", "duration_ms",
      "closed_by");

  private static final Fixture f = Fixture.get();
  private static final TestPki users = TestPki.create(f.directory.resolve("audit-ca"), "audit CA");
  private static final IssuedCertificate alice = users.client(Fixture.USER);
  private static final IssuedCertificate stranger = TestPki.create(f.directory.resolve("stranger-ca"), "stranger CA")
      .client(Fixture.USER);

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(f.plainRoute("audited")
      .tls(f.listenerTls().clientCertificates(ClientCertificates.required(users.caCertificateFile())))
      .clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN)).build()));

  private final AuditEvents events = new AuditEvents();

  @BeforeEach
  void capture() {
    events.start();
  }

  @AfterEach
  void release() {
    events.close();
  }

  private Properties withCertificate(String user) {
    Properties p = f.verifyFull();
    p.setProperty("user", user);
    p.setProperty("sslcert", alice.certificateFile().toString());
    p.setProperty("sslkey", alice.pkcs8DerFile().toString());
    p.setProperty("ApplicationName", "audit-test");
    // pgjdbc quirk: it puts application_name into the StartupMessage only when told the server is
    // 9.0 or newer; otherwise it sends SET application_name after logging in, which pgtls never sees.
    p.setProperty("assumeMinServerVersion", "9.0");
    return p;
  }

  @Test
  void anAcceptedSessionHasEveryKeyWithItsCertificateTrafficAndWhoClosed() throws Exception {
    try (Connection c = Fixture.connect(proxy.boundAddress("audited"), withCertificate(Fixture.USER))) {
      assertThat(Fixture.query(c, "select 1")).isEqualTo("1");
    }
    Map<String, String> e = events.await(v -> "accepted".equals(v.get("decision")));
    assertThat(e.keySet()).containsExactlyElementsOf(KEYS);
    assertThat(e).containsEntry("event", "connection").containsEntry("route", "audited")
        .containsEntry("user", Fixture.USER).containsEntry("database", Fixture.DATABASE)
        .containsEntry("application_name", "audit-test").containsEntry("identity", Fixture.USER)
        .containsEntry("client_cert_subject", "CN=" + Fixture.USER).containsEntry("tls_version", "TLSv1.3")
        .containsEntry("client_cert_serial", alice.certificate().getSerialNumber().toString(16))
        .containsEntry("client_cert_not_after", alice.certificate().getNotAfter().toInstant().toString())
        .containsEntry("backend_address", f.backendAddress()).containsEntry("closed_by", "client");
    assertThat(e.get("client_cert_sha256")).matches("[0-9a-f]{64}");
    assertThat(e.get("client_address")).startsWith("127.0.0.1:");
    assertThat(Long.parseLong(e.get("bytes_client_to_backend"))).isPositive();
    assertThat(Long.parseLong(e.get("bytes_backend_to_client"))).isPositive();
    assertThat(Long.parseLong(e.get("duration_ms"))).isNotNegative();
  }

  @Test
  void aRefusedSessionSaysWhyAndThatPgtlsClosedIt() throws Exception {
    assertThatThrownBy(() -> Fixture.connect(proxy.boundAddress("audited"), withCertificate("bob")).close())
        .isInstanceOf(PSQLException.class);
    Map<String, String> e = events.await(v -> "refused".equals(v.get("decision")));
    assertThat(e.keySet()).containsExactlyElementsOf(KEYS);
    assertThat(e).containsEntry("user", "bob").containsEntry("reason", "certificate_authentication")
        .containsEntry("identity", Fixture.USER).containsEntry("backend_address", "")
        .containsEntry("closed_by", "pgtls").containsEntry("client_cert_subject", "CN=" + Fixture.USER);
  }

  @Test
  void aFailedHandshakeHasTheSameKeysWithTheFailureAsItsReason() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(proxy.boundAddress("audited"), "verify-full") + " sslcert="
        + stranger.certificateFile() + " sslkey=" + stranger.privateKeyFile(), Fixture.PASSWORD, "select 1");
    assertThat(r.exitCode).isNotZero();
    Map<String, String> e = events.await(v -> "handshake_failed".equals(v.get("decision")));
    assertThat(e.keySet()).containsExactlyElementsOf(KEYS);
    assertThat(e).containsEntry("reason", "untrusted_client_certificate").containsEntry("route", "audited")
        .containsEntry("user", "").containsEntry("closed_by", "pgtls");
  }
}
