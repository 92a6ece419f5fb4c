package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.Route;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.junit.StartStop;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TrustMaterial;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The ClientHello a route is chosen by, delivered through the real proxy in the shapes TCP and TLS
 * allow: byte by byte, larger than one read, split across records; and a zero-length handshake
 * record ahead of it, which must be refused rather than skipped. Route A leads to the trusting
 * PostgreSQL (a startup without password proves the route), route B to the fixture's.
 */
class ClientHelloFragmentsTest {
  private static final Fixture f = Fixture.get();
  private static final IssuedCertificate names = f.pki.server("fragments", "a.db.test", "b.db.test");
  private static final int shared = freePort();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      route("a", "a.db.test").backend("127.0.0.1:" + f.trusting().port()).build(),
      route("b", "b.db.test").backend(f.backendAddress()).build()));

  private static Route.Builder route(String name, String serverName) {
    return Route.builder(name).listen("127.0.0.1:" + shared).serverNames(serverName)
        .tls(ListenerTls.pem(names.certificateFile(), names.privateKeyFile())).backendTls(BackendTls.disabled());
  }

  @Test
  void aClientHelloSentOneByteAtATimeIsReassembledAndRouted() throws Exception {
    try (EngineConnection c = connect("postgresql")) {
      for (byte b : c.clientHello()) {
        c.sendRaw(new byte[] {b});
        Thread.sleep(1);
      }
      assertReachesRouteA(c);
    }
  }

  @Test
  void aClientHelloPastTwoKilobytesInTwoWritesIsRouted() throws Exception {
    List<String> alpn = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      alpn.add(("padding-" + i + "-").repeat(20));
    }
    alpn.add("postgresql");
    try (EngineConnection c = connect(alpn.toArray(new String[0]))) {
      byte[] hello = c.clientHello();
      assertThat(hello.length).isGreaterThan(2048);
      c.sendRaw(Arrays.copyOfRange(hello, 0, 1000));
      Thread.sleep(50);
      c.sendRaw(Arrays.copyOfRange(hello, 1000, hello.length));
      assertReachesRouteA(c);
    }
  }

  @Test
  void aClientHelloSplitAcrossTwoRecordsIsRouted() throws Exception {
    try (EngineConnection c = connect("postgresql")) {
      byte[] hello = c.clientHello();
      assertThat(recordLength(hello, 0)).as("one record").isEqualTo(hello.length - 5);
      int name = indexOf(hello, "a.db.test".getBytes(StandardCharsets.US_ASCII));
      assertThat(name).as("the server name in the hello").isPositive();
      c.sendRaw(splitIntoTwoRecords(hello, name - 5 + 4)); // "a.db" in the first record, ".test" in the second
      assertReachesRouteA(c);
    }
  }

  @Test
  void aZeroLengthHandshakeRecordBeforeTheHelloIsRefusedWithAnAlertAndPgtlsKeepsServing() throws Exception {
    try (EngineConnection c = connect("postgresql")) {
      byte[] hello = c.clientHello();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      bytes.write(new byte[] {22, hello[1], hello[2], 0, 0});
      bytes.write(hello);
      c.sendRaw(bytes.toByteArray());
      byte[] answer = c.readRawToEnd();
      assertThat(answer).as("a fatal unexpected_message alert record, then EOF")
          .containsExactly(0x15, 3, 3, 0, 2, 2, 10);
    }
    ClientTools.Result r = ClientTools.psql("host=a.db.test hostaddr=127.0.0.1 port=" + shared + " dbname="
        + Fixture.DATABASE + " user=" + Fixture.USER + " sslmode=verify-full sslrootcert=" + f.pki.caCertificateFile(),
        Fixture.PASSWORD, "select inet_server_port()");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(Integer.parseInt(r.stdout.strip())).isEqualTo(f.trusting().port());
  }

  private static EngineConnection connect(String... alpn) throws Exception {
    SSLContext ctx = TlsContexts.client(TrustMaterial.load(f.pki.caCertificateFile()), null);
    return new EngineConnection(ctx, shared, "a.db.test", alpn);
  }

  private static void assertReachesRouteA(EngineConnection c) throws Exception {
    assertThat(c.finishHandshake()).isEqualTo("postgresql");
    c.startup(Fixture.USER, Fixture.DATABASE);
    assertThat(Integer.parseInt(c.queryOne("select inet_server_port()"))).isEqualTo(f.trusting().port());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  private static int recordLength(byte[] records, int at) {
    return ((records[at + 3] & 0xFF) << 8) | (records[at + 4] & 0xFF);
  }

  /** One handshake record re-framed as two: the first {@code cut} bytes of its body, then the rest. */
  private static byte[] splitIntoTwoRecords(byte[] record, int cut) {
    int body = record.length - 5;
    return ByteBuffer.allocate(record.length + 5)
        .put(record, 0, 3).putShort((short) cut).put(record, 5, cut)
        .put(record, 0, 3).putShort((short) (body - cut)).put(record, 5 + cut, body - cut)
        .array();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
