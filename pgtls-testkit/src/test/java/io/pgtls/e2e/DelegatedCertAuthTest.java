package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import io.pgtls.BackendTls;
import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Delegated {@code cert} authentication: PostgreSQL verifies pgtls's own client certificate
 * (CN=pgtls) and its pg_ident.conf lets pgtls act for alice and bob, while pgtls decides which end
 * user's certificate may log in as which user and passes the identity on in {@code
 * pgtls.client_identity}. Against Debian's PostgreSQL 15 and the testkit's PostgreSQL 17.
 *
 * <p>The backend trusts the users' CA as well as pgtls's, so that when alice goes to it directly
 * her certificate is verified and only the ident map keeps her out.
 */
class DelegatedCertAuthTest {
  private static final String SETTING = "pgtls.client_identity";
  private static final Path DEBIAN_15 = Path.of("/usr/lib/postgresql/15/bin");

  private static final Fixture f = Fixture.get();
  private static final TestPki users = TestPki.create(f.directory.resolve("delegated-users-ca"), "users CA");
  private static final TestPki proxyIdentity = TestPki.create(f.directory.resolve("delegated-pgtls-ca"), "pgtls CA");
  private static final IssuedCertificate alice = users.client("alice");
  private static final IssuedCertificate pgtls = proxyIdentity.client("pgtls");
  private static final Path backendCa = bothCas();

  /** The PostgreSQL servers behind pgtls. */
  enum Server {
    POSTGRESQL_15("15.", () -> {
      if (!Files.isExecutable(DEBIAN_15.resolve("postgres"))) {
        missing("no PostgreSQL 15 in " + DEBIAN_15 + " (Debian: apt-get install postgresql-15)");
      }
      return PostgresServer.builder().binaries(DEBIAN_15);
    }),
    POSTGRESQL_17("17.", PostgresServer::builder);

    private final String versionPrefix;
    private final Supplier<PostgresServer.Builder> builder;

    Server(String versionPrefix, Supplier<PostgresServer.Builder> builder) {
      this.versionPrefix = versionPrefix;
      this.builder = builder;
    }
  }

  /** One PostgreSQL and the pgtls in front of it. */
  private record Deployment(PostgresServer postgres, PgTlsProxy proxy) {}

  private static final Map<Server, Deployment> deployments = new EnumMap<>(Server.class);

  private static synchronized Deployment deployment(Server server) {
    Deployment d = deployments.get(server);
    if (d == null) {
      d = start(server);
      deployments.put(server, d);
    }
    return d;
  }

  private static Deployment start(Server server) {
    PostgresServer postgres = server.builder.get()
        .ssl(f.postgresCertificate.certificateFile(), f.postgresCertificate.privateKeyFile())
        .sslCa(backendCa)
        .user("alice", "unused")
        .user("bob", "unused")
        .database(Fixture.DATABASE)
        // The testkit creates its roles in single-user mode, so no line for the superuser is needed.
        .hba("hostssl all all 127.0.0.1/32 cert map=pgtls")
        .ident("pgtls pgtls alice", "pgtls pgtls bob")
        .setting("log_connections", "on")
        .start();
    try {
      assertThat(postgres.version()).as(server.name()).startsWith(server.versionPrefix);
      Route route = Route.builder("delegated").listen("127.0.0.1:0")
          .tls(f.listenerTls().clientCertificates(ClientCertificates.required(users.caCertificateFile())))
          .backend("127.0.0.1:" + postgres.port())
          .backendTls(BackendTls.verifyFull(f.pki.caCertificateFile())
              .clientCertificate(pgtls.certificateFile(), pgtls.privateKeyFile()))
          .clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN).backendSetting(SETTING))
          .build();
      PgTlsProxy proxy = PgTlsProxy.builder().name("delegated-" + server.name().toLowerCase(Locale.ROOT)).loops(2)
          .route(route).build().start();
      return new Deployment(postgres, proxy);
    } catch (RuntimeException | AssertionError e) {
      postgres.close();
      throw e;
    }
  }

  @AfterAll
  static synchronized void closeAll() {
    for (Deployment d : deployments.values()) {
      try {
        d.proxy().close();
      } finally {
        d.postgres().close();
      }
    }
    deployments.clear();
  }

  private static Path bothCas() {
    try {
      Path file = f.directory.resolve("delegated-backend-ca.crt");
      Files.writeString(file, Files.readString(proxyIdentity.caCertificateFile())
          + Files.readString(users.caCertificateFile()));
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void missing(String reason) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
  }

  /** Both pgtls and the backend present certificates from the fixture's CA. */
  private static String conninfo(int port, String user, IssuedCertificate certificate) {
    return "host=127.0.0.1 port=" + port + " dbname=" + Fixture.DATABASE + " user=" + user
        + " sslmode=verify-full sslrootcert=" + f.pki.caCertificateFile()
        + (certificate == null ? "" : " sslcert=" + certificate.certificateFile() + " sslkey="
        + certificate.privateKeyFile());
  }

  /** Through pgtls. */
  private static String viaPgtls(Server server, String user, IssuedCertificate certificate) {
    return conninfo(deployment(server).proxy().boundAddress("delegated").getPort(), user, certificate);
  }

  /** Straight to the backend, past pgtls. */
  private static String direct(Server server, String user, IssuedCertificate certificate) {
    return conninfo(deployment(server).postgres().port(), user, certificate);
  }

  /** psql, quiet, running each statement as its own -c: one output line per row. */
  private static ClientTools.Result psql(String conninfo, String... statements) throws Exception {
    List<String> command = new ArrayList<>(List.of(ClientTools.require("psql"), "-X", "-q", "-A", "-t",
        "-v", "ON_ERROR_STOP=1", "-d", conninfo));
    for (String statement : statements) {
      command.add("-c");
      command.add(statement);
    }
    return ClientTools.run(Map.of("PGCONNECT_TIMEOUT", "20"), command.toArray(new String[0]));
  }

  private static String backendLog(Server server) throws IOException {
    return Files.readString(deployment(server).postgres().logFile());
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void aliceWithHerCertificateIsAliceAndTheBackendSeesHerIdentity(Server server) throws Exception {
    ClientTools.Result r = psql(viaPgtls(server, "alice", alice),
        "select current_user || ' ' || current_setting('" + SETTING + "')");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("alice alice");
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void aliceAskingForBobIsRefusedByPgtlsThoughTheBackendWouldLetPgtlsActForBob(Server server) throws Exception {
    // pgtls's own certificate is bob for the backend; a session that did not come through pgtls's
    // route has no identity setting at all.
    ClientTools.Result pgtlsAsBob = psql(direct(server, "bob", pgtls),
        "select current_user || ' ' || coalesce(current_setting('" + SETTING + "', true), '<unset>')");
    assertThat(pgtlsAsBob.exitCode).as(pgtlsAsBob.toString()).isZero();
    assertThat(pgtlsAsBob.stdout.strip()).isEqualTo("bob <unset>");

    int before = backendLog(server).length();
    ClientTools.Result r = psql(viaPgtls(server, "bob", alice), "select current_user");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stdout).isEmpty();
    assertThat(r.stderr).contains("FATAL:  certificate authentication failed for user \"bob\"");
    assertThat(backendLog(server).substring(before)).as("the backend's log during alice's attempt as bob")
        .doesNotContain("connection received");
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void anIdentityForgedInOptionsIsReplacedByPgtls(Server server) throws Exception {
    ClientTools.Result r = psql(viaPgtls(server, "alice", alice) + " options='-c " + SETTING + "=forged'",
        "select current_setting('" + SETTING + "')");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("alice");
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void aSetInTheSessionChangesTheSettingAndResetBringsBackPgtlsValue(Server server) throws Exception {
    ClientTools.Result r = psql(viaPgtls(server, "alice", alice),
        "set " + SETTING + " = 'x'",
        "select current_setting('" + SETTING + "')",
        "reset " + SETTING,
        "select current_setting('" + SETTING + "')",
        "set " + SETTING + " = 'y'",
        "reset all",
        "select current_setting('" + SETTING + "')",
        // A custom setting no extension defines is not listed, so its reset_val cannot be read there.
        "select count(*) from pg_settings where name = '" + SETTING + "'");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.lines()).containsExactly("x", "alice", "alice", "0");
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void aUserCannotStoreAForgedIdentityForItsLaterSessions(Server server) throws Exception {
    for (String statement : List.of("alter role alice set " + SETTING + " = 'forged'",
        "alter database " + Fixture.DATABASE + " set " + SETTING + " = 'forged'")) {
      ClientTools.Result r = psql(viaPgtls(server, "alice", alice), statement);
      assertThat(r.exitCode).as(statement).isNotZero();
      assertThat(r.stderr).contains("permission denied to set parameter \"" + SETTING + "\"");
    }
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void aliceGoingStraightToTheBackendIsRefusedByItsIdentMap(Server server) throws Exception {
    int before = backendLog(server).length();
    ClientTools.Result r = psql(direct(server, "alice", alice), "select current_user");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stdout).isEmpty();
    assertThat(r.stderr).contains("FATAL:  certificate authentication failed for user \"alice\"");
    assertThat(backendLog(server).substring(before))
        .contains("no match in usermap \"pgtls\" for user \"alice\" authenticated as \"alice\"");

    ClientTools.Result none = psql(direct(server, "alice", null), "select current_user");
    assertThat(none.exitCode).isNotZero();
    assertThat(none.stderr).contains("connection requires a valid client certificate");
  }
}
