package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.ListenerMetrics;
import io.pgtls.Route;
import io.pgtls.internal.pg.CancelKeys;
import io.pgtls.testkit.junit.StartStop;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On a listener with several routes a plaintext CancelRequest names no server: it finds its
 * session's backend by the key pgtls minted for the client, on this pgtls or on a replica that
 * shares the secret and the configuration, and nowhere else.
 */
class CancelByKeyTest {
  private static final Fixture f = Fixture.get();
  private static final byte[] SECRET = "a cancel key secret of 32 bytes!".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OTHER = "another secret, also 32 bytes ..".getBytes(StandardCharsets.US_ASCII);
  private static final int first = freePort();
  private static final int replica = freePort();
  private static final int stranger = freePort();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(b -> b.cancelKeySecret(SECRET), () -> routes(first));
  @StartStop static final FixtureProxy sameSecret = FixtureProxy.of(b -> b.cancelKeySecret(SECRET), () -> routes(replica));
  @StartStop static final FixtureProxy otherSecret = FixtureProxy.of(b -> b.cancelKeySecret(OTHER), () -> routes(stranger));

  /** A named route to the fixture's server, and the route for clients without a server name to the trusting one. */
  private static List<Route> routes(int port) {
    return List.of(
        f.plainRoute("named").listen("127.0.0.1:" + port).serverNames("x.db.test").build(),
        Route.builder("no-name").listen("127.0.0.1:" + port).tls(f.listenerTls()).serverNames("no_sni")
            .backend("127.0.0.1:" + f.trusting().port()).backendTls(BackendTls.disabled()).build());
  }

  @Test
  void aCancelSentToAReplicaThatSharesTheSecretCancelsTheQuery() throws Exception {
    try (RawTlsClient c = new RawTlsClient(first, f.pki.caCertificateFile())) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select pg_sleep(20)");
      Thread.sleep(300);
      sendPlaintext(replica, c.cancelRequest());
      RawTlsClient.Message m;
      do {
        m = c.read(); // RowDescription comes before the error
      } while (m.type != 'E');
      assertThat(m.text()).contains("57014").contains("canceling statement due to user request");
    }
  }

  @Test
  void aCancelInsideTlsIsRoutedByItsKeyToo() throws Exception {
    // libpq 17's PQcancelCreate sends the CancelRequest inside TLS, to the replica the load balancer picks.
    try (RawTlsClient c = new RawTlsClient(first, f.pki.caCertificateFile());
        RawTlsClient canceller = new RawTlsClient(replica, f.pki.caCertificateFile())) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select pg_sleep(20)");
      Thread.sleep(300);
      canceller.send(c.cancelRequest());
      assertThat(canceller.in.read()).as("no reply, just EOF").isEqualTo(-1);
      RawTlsClient.Message m;
      do {
        m = c.read();
      } while (m.type != 'E');
      assertThat(m.text()).contains("57014");
    }
  }

  @Test
  void aCancelUnderAnotherSecretCancelsNothing() throws Exception {
    try (RawTlsClient c = new RawTlsClient(first, f.pki.caCertificateFile())) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select pg_sleep(2)");
      Thread.sleep(300);
      sendPlaintext(stranger, c.cancelRequest());
      assertThat(c.readUntilReady()).as("the query ran to its end").isEqualTo(1);
    }
  }

  @Test
  void aKeyThatNamesNoRouteIsDroppedAndCounted() throws Exception {
    long before = unknownKeyRefusals();
    CancelKeys.Minted guess = CancelKeys.fromSecret(SECRET).mint(7, 4242, new byte[] {1, 2, 3, 4});
    byte[] packet = ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(guess.pid()).put(guess.key()).array();
    sendPlaintext(first, packet);
    for (int i = 0; i < 100 && unknownKeyRefusals() == before; i++) {
      Thread.sleep(50);
    }
    assertThat(unknownKeyRefusals()).isEqualTo(before + 1);
  }

  @Test
  void theClientIsToldAPidOfPgtlssMakingAndItsOwnNotificationsCarryIt() throws Exception {
    try (RawTlsClient c = new RawTlsClient(first, f.pki.caCertificateFile())) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select pg_backend_pid()");
      int real = Integer.parseInt(firstValue(c));
      assertThat(c.pid).as("the pid in BackendKeyData is minted, not the backend's").isNotEqualTo(real);
      c.query("listen ch; notify ch, 'hi'");
      RawTlsClient.Message m;
      do {
        m = c.read();
      } while (m.type != 'A');
      assertThat(ByteBuffer.wrap(m.body).getInt()).as("a notification from the session's own backend")
          .isEqualTo(c.pid);
      c.readUntilReady();
    }
  }

  private static String firstValue(RawTlsClient c) throws Exception {
    String value = null;
    while (true) {
      RawTlsClient.Message m = c.read();
      if (m.type == 'D') {
        ByteBuffer b = ByteBuffer.wrap(m.body);
        b.getShort();
        byte[] v = new byte[b.getInt()];
        b.get(v);
        value = new String(v, StandardCharsets.UTF_8);
      } else if (m.type == 'Z') {
        return value;
      }
    }
  }

  private static long unknownKeyRefusals() {
    return proxy.listenerMetrics().stream().map(ListenerMetrics::refusals)
        .mapToLong(r -> r.getOrDefault("cancel_unknown_key", 0L)).sum();
  }

  private static void sendPlaintext(int port, byte[] cancel) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(cancel);
      out.flush();
      assertThat(s.getInputStream().read()).as("pgtls closes a cancel's connection without a reply").isEqualTo(-1);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
