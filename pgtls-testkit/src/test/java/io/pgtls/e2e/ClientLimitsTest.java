package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.abort;

import io.pgtls.ClientLimits;
import io.pgtls.RouteMetrics;
import io.pgtls.testkit.junit.StartStop;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The per-address limits and the pending cap keep one address, or a flood, from starving everyone
 * else: the address over its share is refused in PostgreSQL's words or dropped without a word,
 * counted, and psql from another address connects all the while. psql's latency with and without
 * the load is printed for the record, never asserted.
 */
class ClientLimitsTest {
  private static final Fixture f = Fixture.get();
  /** Client sockets for the slow handshakes, and pgtls's side of each: both in this JVM. */
  private static final int SLOW_HANDSHAKES = 1_000;
  private static final long DESCRIPTORS_NEEDED = 2L * SLOW_HANDSHAKES + 1_000;

  @StartStop static final FixtureProxy perSource = FixtureProxy.of(
      b -> b.clientLimits(ClientLimits.defaults().maxConnectionsPerSource(5)),
      () -> List.of(f.trustingRoute("five-per-source", false).build()));
  @StartStop static final FixtureProxy defaults = FixtureProxy.of(
      () -> List.of(f.trustingRoute("default-limits", false).build()));
  @StartStop static final FixtureProxy cancels = FixtureProxy.of(
      b -> b.clientLimits(ClientLimits.defaults().cancelsPerSource(10, 20)),
      () -> List.of(f.trustingRoute("ten-cancels-a-second", false).build()));
  @StartStop static final FixtureProxy pending = FixtureProxy.of(
      b -> b.clientLimits(ClientLimits.defaults().maxPendingConnections(20)),
      () -> List.of(f.trustingRoute("twenty-pending", false).build()));

  // ---------------------------------------------------------------------------------------------
  // (a) Connections per address

  @Test
  void oneAddressBeyondItsShareGets53300NamingItWhileOthersStillConnect() throws Exception {
    int port = perSource.boundAddress("five-per-source").getPort();
    // psql's address (127.0.0.1) has the same share of 5, taken one at a time.
    String baseline = psqlLatency(perSource, "five-per-source", 2);
    long before = perSource.limitRefusals().get("per_source_connections");
    List<RawTlsClient> held = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        RawTlsClient c = new RawTlsClient(port, f.pki.caCertificateFile(), RawTlsClient.Opening.from("127.0.0.4"));
        held.add(c);
        c.startup(Fixture.USER, Fixture.DATABASE);
      }
      try (RawTlsClient sixth = new RawTlsClient(port, f.pki.caCertificateFile(),
          RawTlsClient.Opening.from("127.0.0.4"))) {
        assertThatThrownBy(() -> sixth.startup(Fixture.USER, Fixture.DATABASE))
            .hasMessageContaining("SFATAL").hasMessageContaining("C53300")
            .hasMessageContaining("Msorry, too many clients already")
            .hasMessageContaining("Dhost 127.0.0.4 has ").hasMessageContaining("(max_connections_per_source 5)");
      }
      assertThat(perSource.limitRefusals().get("per_source_connections")).isEqualTo(before + 1);
      assertThat(routeRefusals(perSource, "five-per-source", "per_source_connections")).isEqualTo(before + 1);
      String loaded = psqlLatency(perSource, "five-per-source", 2);
      System.out.printf("psql from 127.0.0.1: %s before; %s with 127.0.0.4 holding its 5 sessions and its 6th "
          + "refused%n", baseline, loaded);
      for (RawTlsClient c : held) {
        c.query("select 1");
        assertThat(c.readUntilReady()).as("the held sessions still work").isEqualTo(1);
      }
    } finally {
      closeAll(held);
    }
  }

  @Test
  void anAddressGetsItsShareBackWhenItsSessionsClose() throws Exception {
    int port = perSource.boundAddress("five-per-source").getPort();
    for (int round = 1; round <= 2; round++) {
      List<RawTlsClient> sessions = new ArrayList<>();
      try {
        for (int i = 0; i < 5; i++) {
          RawTlsClient c = new RawTlsClient(port, f.pki.caCertificateFile(), RawTlsClient.Opening.from("127.0.0.8"));
          sessions.add(c);
          c.startup(Fixture.USER, Fixture.DATABASE);
        }
      } finally {
        closeAll(sessions);
      }
      awaitNoConnections(perSource);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // (b) Slow handshakes

  @Test
  void aThousandSlowHandshakesFromOneAddressDoNotKeepPsqlOut() throws Exception {
    requireDescriptors(DESCRIPTORS_NEEDED);
    int port = defaults.boundAddress("default-limits").getPort();
    psqlMillis(defaults, "default-limits"); // warm-up: the first run of a JVM loads what the others reuse
    String baseline = psqlLatency(defaults, "default-limits", 3);
    List<Socket> slow = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      for (int i = 0; i < SLOW_HANDSHAKES && System.nanoTime() < deadline; i++) {
        Socket s = RawTlsClient.Opening.from("127.0.0.5").preamble(RawTlsClient.SSL_REQUEST).connect(port);
        slow.add(s);
        s.setSoTimeout(10_000);
        assertThat(read(s)).as("connection %d of 127.0.0.5 is answered 'S'", i + 1).isEqualTo('S');
        if (i % 2 == 1) {
          // Half stop in the middle of a ClientHello: a TLS record header announcing 512 bytes, and 6 of them.
          s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03});
          s.getOutputStream().flush();
        }
      }
      assertThat(slow).as("slow handshakes opened within 60 s").hasSize(SLOW_HANDSHAKES);
      String loaded = psqlLatency(defaults, "default-limits", 3);
      System.out.printf("psql from 127.0.0.1: %s before; %s with %d slow handshakes from 127.0.0.5 held open%n",
          baseline, loaded, slow.size());
      assertThat(defaults.limitRefusals()).as("the default limits refused none of them").containsEntry(
          "handshake_rate", 0L).containsEntry("pending_connections", 0L);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // (c) Cancel-key guessing

  @Test
  void guessedCancelKeysBeyondTheCancelRateAreDroppedAndCounted() throws Exception {
    int port = cancels.boundAddress("ten-cancels-a-second").getPort();
    Random random = new Random(20240607);
    try (LogCapture log = LogCapture.connections()) {
      for (int i = 0; i < 20; i++) {
        sendCancel(port, random);
      }
      assertThat(forwarded(log, 20)).as("the burst of 20 is forwarded to the backend, which ignores unknown keys")
          .isEqualTo(20);
      assertThat(cancels.limitRefusals().get("cancel_rate")).isZero();

      for (int i = 0; i < 20; i++) {
        sendCancel(port, random);
      }
      long dropped = cancels.limitRefusals().get("cancel_rate");
      long passed = forwarded(log, 40 - dropped);
      System.out.printf("40 guessed cancels from 127.0.0.6 at cancelsPerSource(10, 20): %d forwarded, %d dropped%n",
          passed, dropped);
      assertThat(passed + dropped).isEqualTo(40);
      assertThat(dropped).as("dropped beyond the burst").isPositive();
      assertThat(routeRefusals(cancels, "ten-cancels-a-second", "cancel_rate")).isEqualTo(dropped);
      assertThat(log.awaitLine("above its cancel rate"))
          .contains("refused: CancelRequests from 127.0.0.6 above its cancel rate (10.0/s); dropped");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // (d) The pending cap

  @Test
  void theConnectionBeyondThePendingCapIsClosedBeforeAnyTlsWork() throws Exception {
    int port = pending.boundAddress("twenty-pending").getPort();
    long before = pending.limitRefusals().get("pending_connections");
    List<Socket> halfOpen = holdPending(port, 20);
    try {
      try (Socket next = RawTlsClient.Opening.from("127.0.0.7").preamble(RawTlsClient.SSL_REQUEST).connect(port)) {
        next.setSoTimeout(10_000);
        assertThat(read(next)).as("closed at once, no 'S'").isEqualTo(-1);
      }
      assertThat(pending.limitRefusals().get("pending_connections")).isEqualTo(before + 1);
      assertThat(routeRefusals(pending, "twenty-pending", "pending_connections")).isEqualTo(before + 1);
    } finally {
      for (Socket s : halfOpen) {
        s.close();
      }
    }
  }

  @Test
  void psqlConnectsAgainOnceThePendingConnectionsClose() throws Exception {
    int port = pending.boundAddress("twenty-pending").getPort();
    List<Socket> halfOpen = holdPending(port, 20);
    for (Socket s : halfOpen) {
      s.close();
    }
    awaitNoConnections(pending);
    ClientTools.Result r = psql(pending, "twenty-pending");
    assertThat(r.exitCode).as(r.toString()).isZero();
  }

  // ---------------------------------------------------------------------------------------------

  /** {@code count} connections from 127.0.0.7 answered 'S' and left in the TLS handshake's place. */
  private static List<Socket> holdPending(int port, int count) throws IOException {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Socket s = RawTlsClient.Opening.from("127.0.0.7").preamble(RawTlsClient.SSL_REQUEST).connect(port);
        held.add(s);
        s.setSoTimeout(10_000);
        assertThat(read(s)).as("half-open connection %d is answered 'S'", i + 1).isEqualTo('S');
      }
      return held;
    } catch (IOException | RuntimeException | AssertionError e) {
      for (Socket s : held) {
        s.close();
      }
      throw e;
    }
  }

  /** A plaintext CancelRequest with a random pid and key from 127.0.0.6; pgtls closes without a reply either way. */
  private static void sendCancel(int port, Random random) throws IOException {
    byte[] key = new byte[4];
    random.nextBytes(key);
    byte[] cancel = ByteBuffer.allocate(16).putInt(16).putInt(80877102).putInt(random.nextInt(1 << 22) + 1).put(key)
        .array();
    try (Socket s = RawTlsClient.Opening.from("127.0.0.6").preamble(cancel).connect(port)) {
      s.setSoTimeout(10_000);
      assertThat(read(s)).as("no reply to a cancel").isEqualTo(-1);
    }
  }

  /** Waits up to 10 s for {@code expected} forwarded-cancel lines; returns how many there are. */
  private static long forwarded(LogCapture log, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    long n;
    do {
      n = log.awaitLine("CancelRequest (plaintext) forwarded").lines()
          .filter(l -> l.contains("CancelRequest (plaintext) forwarded")).count();
      if (n >= expected) {
        return n;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return n;
  }

  /** psql from 127.0.0.1 through {@code route} of {@code proxy}: must work; returns its wall-clock time. */
  private static long psqlMillis(FixtureProxy proxy, String route) throws Exception {
    long start = System.nanoTime();
    ClientTools.Result r = psql(proxy, route);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.trim()).isEqualTo("1");
    return millis;
  }

  /**
   * psql's latency through {@code route}, for the record: {@code runs} runs (each must work), as
   * "N ms (runs [a, b, c])" with N the median; the process start is in each figure.
   */
  private static String psqlLatency(FixtureProxy proxy, String route, int runs) throws Exception {
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      millis.add(psqlMillis(proxy, route));
    }
    List<Long> sorted = new ArrayList<>(millis);
    sorted.sort(null);
    return sorted.get(runs / 2) + " ms (runs " + millis + ")";
  }

  private static ClientTools.Result psql(FixtureProxy proxy, String route) throws Exception {
    return ClientTools.psql(f.conninfo(proxy.boundAddress(route), "verify-full") + " hostaddr=127.0.0.1",
        Fixture.PASSWORD, "select 1");
  }

  private static long routeRefusals(FixtureProxy proxy, String route, String label) {
    return proxy.metrics().stream().filter(m -> m.route().equals(route)).map(RouteMetrics::refusals)
        .mapToLong(r -> r.getOrDefault(label, 0L)).sum();
  }

  /** Waits up to 10 s for pgtls to have closed every connection of {@code proxy}. */
  private static void awaitNoConnections(FixtureProxy proxy) throws InterruptedException {
    for (int i = 0; i < 500 && proxy.activeConnections() > 0; i++) {
      Thread.sleep(20);
    }
    assertThat(proxy.activeConnections()).as("connections pgtls still holds").isZero();
  }

  /** The next byte, or -1 at EOF or when pgtls reset the connection. */
  private static int read(Socket s) throws IOException {
    try {
      return s.getInputStream().read();
    } catch (SocketException e) {
      if (String.valueOf(e.getMessage()).contains("reset")) {
        return -1;
      }
      throw e;
    }
  }

  private static void closeAll(List<RawTlsClient> clients) throws IOException {
    for (RawTlsClient c : clients) {
      c.close();
    }
  }

  /**
   * This JVM holds both ends of every connection: with fewer file descriptors than {@code needed}
   * the test cannot hold its load. Skips, or fails under CI=true, naming the limit.
   */
  private static void requireDescriptors(long needed) {
    if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os)) {
      return;
    }
    long max = os.getMaxFileDescriptorCount();
    if (max >= needed) {
      return;
    }
    String reason = "the JVM may open " + max + " files (ulimit -n), and " + SLOW_HANDSHAKES + " slow handshakes "
        + "need " + needed + " (both ends of each connection are in this JVM); raise it with ulimit -n " + needed;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
  }
}
