package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.BackendTls;
import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import io.pgtls.testkit.junit.StartStop;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.sql.Connection;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Client certificates as identity, in front of a PostgreSQL that trusts every connection: whatever
 * user a client names, only pgtls's check stands between it and the session. So a refusal here is
 * pgtls's, and the backend's log shows that no connection was even attempted.
 */
class ClientIdentityTest {
  private static final Fixture f = Fixture.get();
  private static final TestPki users = TestPki.create(f.directory.resolve("identity-ca"), "identity CA");
  private static final IssuedCertificate alice = users.client("alice");
  private static final IssuedCertificate upperAlice = users.client("Alice");
  private static final IssuedCertificate aliceAtExample = users.client("alice@example.com");
  private static final IssuedCertificate aliceAtEvil = users.client("alice@evil.com");
  private static final IssuedCertificate adminService = users.client("admin-svc");
  private static final IssuedCertificate wildcardSan = users.client(TestPki.ClientSpec.commonName("wildcard")
      .dnsNames("*.example.com"));
  private static final IssuedCertificate spiffe = users.client(TestPki.ClientSpec.commonName("workload")
      .uris("spiffe://example.org/ns/prod/sa/app"));
  private static final IssuedCertificate emailSan = users.client(TestPki.ClientSpec.commonName("not-a-user")
      .emails("bob@example.com"));

  private static final PostgresServer trusting = PostgresServer.builder()
      .ssl(f.postgresCertificate.certificateFile(), f.postgresCertificate.privateKeyFile())
      .user("alice", "unused")
      .user("bob", "unused")
      .database(Fixture.DATABASE)
      .hba("host all all 127.0.0.1/32 trust")
      .setting("log_connections", "on")
      .build();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      route("cn", ClientCertificates.required(users.caCertificateFile()),
          ClientIdentity.from(ClientIdentity.Source.CN).backendSetting("pgtls.client_identity")),
      route("map", ClientCertificates.required(users.caCertificateFile()),
          ClientIdentity.from(ClientIdentity.Source.CN).mapLines(List.of(
              "# the users of example.com log in as themselves",
              "certs /^(.*)@example\\.com$ \\1",
              "certs admin-svc all",
              "other alice@evil.com alice"), "certs")),
      route("dn", ClientCertificates.required(users.caCertificateFile()),
          ClientIdentity.from(ClientIdentity.Source.DN).mapLines(List.of("dn CN=alice alice"), "dn")),
      route("san-dns", ClientCertificates.required(users.caCertificateFile()),
          ClientIdentity.from(ClientIdentity.Source.SAN_DNS)),
      route("spiffe", ClientCertificates.required(users.caCertificateFile()),
          ClientIdentity.from(ClientIdentity.Source.SAN_URI)
              .mapLines(List.of("spiffe spiffe://example.org/ns/prod/sa/app alice"), "spiffe")),
      route("email", ClientCertificates.required(users.caCertificateFile()),
          ClientIdentity.from(ClientIdentity.Source.SAN_EMAIL)
              .mapLines(List.of("mail /^(.*)@example\\.com$ \\1"), "mail")),
      route("optional", ClientCertificates.optional(users.caCertificateFile()),
          ClientIdentity.from(ClientIdentity.Source.CN).backendSetting("pgtls.client_identity"))), trusting);

  private static Route route(String name, ClientCertificates certificates, ClientIdentity identity) {
    return Route.builder(name).listen("127.0.0.1:0")
        .tls(f.listenerTls().clientCertificates(certificates))
        .backend("127.0.0.1:" + trusting.port())
        .backendTls(BackendTls.verifyFull(f.pki.caCertificateFile()))
        .clientIdentity(identity)
        .build();
  }

  private static InetSocketAddress at(String route) {
    return proxy.boundAddress(route);
  }

  private static String conninfo(String route, String user, IssuedCertificate certificate) {
    return "host=localhost port=" + at(route).getPort() + " dbname=" + Fixture.DATABASE + " user=" + user
        + " sslmode=verify-full sslrootcert=" + f.pki.caCertificateFile()
        + (certificate == null ? "" : " sslcert=" + certificate.certificateFile() + " sslkey="
        + certificate.privateKeyFile());
  }

  private static ClientTools.Result psql(String route, String user, IssuedCertificate certificate, String sql)
      throws Exception {
    return ClientTools.psql(conninfo(route, user, certificate), "unused", sql);
  }

  private static Properties pgjdbc(String user, IssuedCertificate certificate) {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", f.pki.caCertificateFile().toString());
    p.setProperty("sslcert", certificate.certificateFile().toString());
    p.setProperty("sslkey", certificate.pkcs8DerFile().toString());
    return p;
  }

  private static String backendLog() throws Exception {
    return Files.readString(trusting.logFile());
  }

  @Test
  void psqlWithCnAliceLogsInAsAliceButNotAsBobAndBobNeverReachesTheBackend() throws Exception {
    ClientTools.Result ok = psql("cn", "alice", alice, "select current_user");
    assertThat(ok.exitCode).as(ok.toString()).isZero();
    assertThat(ok.stdout.strip()).isEqualTo("alice");
    assertThat(backendLog()).contains("user=alice");

    int before = backendLog().length();
    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result bob = psql("cn", "bob", alice, "select current_user");
      assertThat(bob.exitCode).isNotZero();
      assertThat(bob.stderr).contains("FATAL:  certificate authentication failed for user \"bob\"");
      assertThat(bob.stdout).isEmpty();
      assertThat(log.awaitLine("certificate authentication failed"))
          .contains("route 'cn'").contains("user=bob").contains("identity=alice").contains("map line=none")
          .contains("does not equal user \"bob\"");
    }
    assertThat(backendLog().substring(before)).as("the backend's log during bob's attempt")
        .doesNotContain("connection received").doesNotContain("user=bob");
  }

  @Test
  void aReplicationConnectionIsCheckedLikeAnyOther() throws Exception {
    ClientTools.Result r = ClientTools.psql(conninfo("cn", "bob", alice) + " replication=database", "unused",
        "IDENTIFY_SYSTEM");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("certificate authentication failed for user \"bob\"");
  }

  @Test
  void aRequiredCertificateMissingCompletesTheHandshakeAndGetsTheFatal() throws Exception {
    ClientTools.Result r = psql("cn", "alice", null, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  connection requires a valid client certificate");
    assertThat(r.stderr).doesNotContain("SSL error");
  }

  @Test
  void sslmodePreferWithoutACertificateDoesNotGetInThroughPlaintext() throws Exception {
    // libpq retries without TLS after a FATAL under sslmode=prefer; pgtls refuses that too.
    ClientTools.Result r = ClientTools.psql("host=localhost port=" + at("cn").getPort() + " dbname="
        + Fixture.DATABASE + " user=alice sslmode=prefer", "unused", "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stdout).isEmpty();
    assertThat(r.stderr).contains("connection requires a valid client certificate");
  }

  @Test
  void caseMattersACertificateForAliceUpperCaseIsNotAlice() throws Exception {
    ClientTools.Result r = psql("cn", "alice", upperAlice, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("certificate authentication failed for user \"alice\"");
  }

  @Test
  void aRegexMapTakesAliceAtExampleComToAliceButNotAliceAtEvilCom() throws Exception {
    ClientTools.Result ok = psql("map", "alice", aliceAtExample, "select current_user");
    assertThat(ok.exitCode).as(ok.toString()).isZero();
    assertThat(ok.stdout.strip()).isEqualTo("alice");

    try (LogCapture log = LogCapture.connections()) {
      ClientTools.Result evil = psql("map", "alice", aliceAtEvil, "select 1");
      assertThat(evil.exitCode).isNotZero();
      assertThat(evil.stderr).contains("certificate authentication failed for user \"alice\"");
      // The line of map 'other' pairs them, and must not count for map 'certs'.
      assertThat(log.awaitLine("certificate authentication failed")).contains("identity=alice@evil.com");
    }
  }

  @Test
  void allLetsOneIdentityLogInAsAnyUser() throws Exception {
    for (String user : new String[] {"alice", "bob"}) {
      ClientTools.Result r = psql("map", user, adminService, "select current_user");
      assertThat(r.exitCode).as(r.toString()).isZero();
      assertThat(r.stdout.strip()).isEqualTo(user);
    }
  }

  @Test
  void aDnIdentityIsTheWholeSubjectNotTheCn() throws Exception {
    ClientTools.Result ok = psql("dn", "alice", alice, "select current_user");
    assertThat(ok.exitCode).as(ok.toString()).isZero();
    ClientTools.Result other = psql("dn", "alice", aliceAtExample, "select 1");
    assertThat(other.exitCode).isNotZero();
    assertThat(other.stderr).contains("certificate authentication failed for user \"alice\"");
  }

  @Test
  void aWildcardSanIsAStringNotAPatternThatAuthorisesAMatchingUserName() throws Exception {
    ClientTools.Result r = psql("san-dns", "app.example.com", wildcardSan, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("certificate authentication failed for user \"app.example.com\"");
  }

  @Test
  void aSpiffeIdInAUriSanMapsToItsUser() throws Exception {
    ClientTools.Result ok = psql("spiffe", "alice", spiffe, "select current_user");
    assertThat(ok.exitCode).as(ok.toString()).isZero();
    assertThat(ok.stdout.strip()).isEqualTo("alice");
    ClientTools.Result cn = psql("spiffe", "alice", alice, "select 1");
    assertThat(cn.stderr).as("a CN is not a URI SAN").contains("certificate authentication failed");
  }

  @Test
  void anEmailSanThroughARegexMapLogsInAsTheLocalPart() throws Exception {
    ClientTools.Result ok = psql("email", "bob", emailSan, "select current_user");
    assertThat(ok.exitCode).as(ok.toString()).isZero();
    assertThat(ok.stdout.strip()).isEqualTo("bob");
    ClientTools.Result alice = psql("email", "alice", emailSan, "select 1");
    assertThat(alice.stderr).contains("certificate authentication failed for user \"alice\"");
  }

  @Test
  void theIdentitySettingIsWhatPgtlsSetEvenWhenTheClientSentItsOwn() throws Exception {
    ClientTools.Result r = ClientTools.psql(conninfo("cn", "alice", alice)
        + " options='-c pgtls.client_identity=forged'", "unused", "select current_setting('pgtls.client_identity')");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("alice");
  }

  @Test
  void anOptionalRouteLetsAClientWithoutACertificateInButNotWithAForgedIdentity() throws Exception {
    ClientTools.Result r = ClientTools.psql(conninfo("optional", "bob", null)
        + " options='-c pgtls.client_identity=alice'", "unused", "select current_user || ' ' || "
        + "coalesce(nullif(current_setting('pgtls.client_identity'), ''), '<none>')");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("bob <none>");
    ClientTools.Result bob = psql("optional", "bob", alice, "select 1");
    assertThat(bob.exitCode).isNotZero();
    assertThat(bob.stderr).contains("certificate authentication failed for user \"bob\"");
  }

  @Test
  void pgjdbcWithAPkcs8KeyLogsInAsItsCnAndGets28000AsAnotherUser() throws Exception {
    try (Connection c = Fixture.connect(at("cn"), pgjdbc("alice", alice))) {
      assertThat(Fixture.query(c, "select current_user")).isEqualTo("alice");
    }
    assertThatThrownBy(() -> Fixture.connect(at("cn"), pgjdbc("bob", alice)).close())
        .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28000"))
        .hasMessageContaining("certificate authentication failed for user \"bob\"");
  }

  @Test
  void nodePostgresLogsInAsItsCnAndGets28000AsAnotherUser() throws Exception {
    String config = """
        { host: 'localhost', port: %d, database: '%s', user: '%%s', connectionTimeoutMillis: 20000,
          ssl: { ca: fs.readFileSync('%s', 'utf8'), cert: fs.readFileSync('%s', 'utf8'),
                 key: fs.readFileSync('%s', 'utf8') } }""".formatted(at("cn").getPort(), Fixture.DATABASE,
        f.pki.caCertificateFile(), alice.certificateFile(), alice.privateKeyFile());
    ClientTools.Result ok = OtherClients.nodePostgres(config.formatted("alice"));
    assertThat(ok.exitCode).as(ok.toString()).isZero();
    ClientTools.Result bob = OtherClients.nodePostgres(config.formatted("bob"));
    assertThat(bob.exitCode).isNotZero();
    assertThat(bob.stderr).contains("[28000] certificate authentication failed for user \"bob\"");
  }
}
