package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.BackendTls;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import io.pgtls.testkit.junit.StartStop;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Each way a connection can be refused, with the exact message the user sees, and the proxy still
 * serving a good client afterwards.
 */
class RefusalsTest {
  private static final Fixture f = Fixture.get();
  private static final PostgresServer noSsl =
      PostgresServer.builder().user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE).build();
  /** Picked as pgtls starts, after noSsl took its port, so that it cannot be noSsl's. */
  private static int deadPort;

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> {
    deadPort = freedPort();
    TestPki otherCa = TestPki.create(f.directory.resolve("other-ca"), "other CA");
    return List.of(
        f.plainRoute("plain").build(),
        f.tlsRoute("dead").backend("127.0.0.1:" + deadPort).build(),
        f.tlsRoute("no-ssl-backend").backend("127.0.0.1:" + noSsl.port()).build(),
        f.tlsRoute("wrong-ca").backendTls(BackendTls.verifyFull(otherCa.caCertificateFile())).build(),
        f.tlsRoute("wrong-name").backendTls(BackendTls.verifyFull(f.pki.caCertificateFile())
            .serverName("db.example.com")).build());
  }, noSsl);

  /** A port that was free a moment ago; closed again, so nothing listens there. */
  private static int freedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InetSocketAddress at(String route) {
    return proxy.boundAddress(route);
  }

  @Test
  void plaintextPsqlIsRefusedWith28000AndTheSslmodeAdvice() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at("plain"), "disable"), Fixture.PASSWORD, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains(
        "FATAL:  pgtls route 'plain' requires an encrypted connection (SSL/TLS); this connection was not encrypted",
        "HINT:  Connect with sslmode=require or stronger (sslmode=verify-full is recommended).");
    assertServesAGoodClient();
  }

  @Test
  void plaintextPgjdbcGetsSqlstate28000SoThatSslmodeAllowRetriesOverTls() throws Exception {
    Properties p = f.verifyFull();
    p.setProperty("sslmode", "disable");
    assertThatThrownBy(() -> Fixture.connect(at("plain"), p).close())
        .isInstanceOfSatisfying(PSQLException.class, e -> {
          assertThat(e.getSQLState()).isEqualTo("28000");
          assertThat(e.getMessage()).contains("pgtls route 'plain' requires an encrypted connection");
        });
    p.setProperty("sslmode", "allow");
    try (Connection c = Fixture.connect(at("plain"), p)) {
      assertThat(Fixture.query(c, "select 1")).isEqualTo("1");
    }
  }

  @Test
  void backendDownGivesAFatalNamingTheBackendAndTheCause() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at("dead"), "verify-full"), Fixture.PASSWORD, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  could not connect to backend 127.0.0.1:" + deadPort + ": Connection refused",
        "HINT:  Is the PostgreSQL server of route 'dead' running and accepting TCP connections?");
    assertThatThrownBy(() -> Fixture.connect(at("dead"), f.verifyFull()).close())
        .isInstanceOfSatisfying(PSQLException.class,
            e -> assertThat(e.getSQLState()).isEqualTo("08006"));
    assertServesAGoodClient();
  }

  @Test
  void backendWithoutTlsWhenTlsIsRequiredIsRefusedNotSilentlyPlaintext() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at("no-ssl-backend"), "verify-full"), Fixture.PASSWORD,
        "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  backend 127.0.0.1:" + noSsl.port()
        + " does not accept TLS (it answered N to SSLRequest), and route 'no-ssl-backend' requires TLS to it",
        "HINT:  Enable ssl on that PostgreSQL server, or set tls_enabled = false for this route's backend.");
  }

  @Test
  void backendCertificateFromAnUntrustedCaIsRefused() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at("wrong-ca"), "verify-full"), Fixture.PASSWORD, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  pgtls could not establish TLS with backend " + f.backendAddress()
        + ": the backend's certificate is not signed by a CA this route trusts (backend root_ca)");
  }

  @Test
  void backendCertificateForAnotherHostNameIsRefused() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(at("wrong-name"), "verify-full"), Fixture.PASSWORD, "select 1");
    assertThat(r.exitCode).isNotZero();
    assertThat(r.stderr).contains("FATAL:  pgtls could not establish TLS with backend " + f.backendAddress()
        + ": the backend's certificate does not match the host name 'db.example.com'");
  }

  @Test
  void clientThatDoesNotTrustTheProxysCaFailsOnItsOwnSide() throws Exception {
    TestPki stranger = TestPki.create(f.directory.resolve("stranger-ca"), "stranger CA");
    Properties p = f.verifyFull();
    p.setProperty("sslrootcert", stranger.caCertificateFile().toString());
    assertThatThrownBy(() -> Fixture.connect(at("plain"), p).close())
        .isInstanceOf(PSQLException.class)
        .hasMessageContaining("SSL error");
    assertServesAGoodClient();
  }

  @Test
  void unencryptedBytesPipelinedAfterSslRequestAreRefusedNeverRelayed() throws Exception {
    // CVE-2021-23214: a man in the middle appends a plaintext StartupMessage behind the SSLRequest.
    byte[] startup = startupMessage("user", Fixture.USER, "database", Fixture.DATABASE);
    ByteBuffer b = ByteBuffer.allocate(8 + startup.length);
    b.putInt(8).putInt(80877103).put(startup);
    try (Socket s = new Socket("127.0.0.1", at("plain").getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(b.array()); // one write: the bytes arrive together
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      assertThat((char) in.readByte()).as("an ErrorResponse, not 'S'").isEqualTo('E');
      byte[] body = new byte[in.readInt() - 4];
      in.readFully(body);
      String fields = new String(body, StandardCharsets.UTF_8);
      assertThat(fields).contains("C08P01").contains("Mreceived unencrypted data after SSL request");
      assertThat(in.read()).as("then EOF").isEqualTo(-1);
    }
  }

  @Test
  void healthCheckThatConnectsAndClosesIsNotAnErrorAndLeavesNothingBehind() throws Exception {
    for (int i = 0; i < 20; i++) {
      new Socket("127.0.0.1", at("plain").getPort()).close();
    }
    assertServesAGoodClient();
  }

  static byte[] startupMessage(String... pairs) {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    for (String s : pairs) {
      body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      body.write(0);
    }
    body.write(0);
    ByteBuffer b = ByteBuffer.allocate(8 + body.size());
    b.putInt(8 + body.size()).putInt(196608).put(body.toByteArray());
    return b.array();
  }

  private static void assertServesAGoodClient() throws Exception {
    try (Connection c = Fixture.connect(at("plain"), f.verifyFull())) {
      assertThat(Fixture.query(c, "select 42")).isEqualTo("42");
    }
  }

}
