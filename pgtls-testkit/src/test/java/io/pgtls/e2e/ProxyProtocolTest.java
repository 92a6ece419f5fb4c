package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ProxyProtocol;
import io.pgtls.RouteMetrics;
import io.pgtls.internal.proxy.ProxyHeaderWriter;
import io.pgtls.internal.proxy.ProxyHeaderWriter.Checksum;
import io.pgtls.internal.proxy.ProxyHeaderWriter.Tlv;
import io.pgtls.testkit.junit.StartStop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pgtls behind a TCP load balancer at 127.0.0.2 that sends a PROXY protocol header first: the
 * header's client is the one logged, audited and judged; a header from anyone else, a broken one,
 * or none at all never passes for a client.
 */
class ProxyProtocolTest {
  private static final Fixture f = Fixture.get();
  private static final String BALANCER = "127.0.0.2";
  private static final InetSocketAddress FRONTEND = address("10.0.0.5", 5432);

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      f.trustingRoute("behind-lb", false).proxyProtocol(ProxyProtocol.trusting(BALANCER)).build(),
      f.trustingRoute("slow-lb", false).proxyProtocol(ProxyProtocol.trusting(BALANCER))
          .startupTimeout(Duration.ofSeconds(1)).build(),
      f.trustingRoute("direct-too", false)
          .proxyProtocol(ProxyProtocol.trusting(BALANCER).untrusted(ProxyProtocol.Untrusted.DIRECT)).build(),
      f.trustingRoute("office-only", false).proxyProtocol(ProxyProtocol.trusting(BALANCER))
          .allowedSources("203.0.113.0/24").build()));

  private LogCapture log;
  private AuditEvents audit;

  @BeforeEach
  void capture() {
    log = LogCapture.connections();
    audit = AuditEvents.collect();
  }

  @AfterEach
  void release() {
    log.close();
    audit.close();
  }

  // ---------------------------------------------------------------------------------------------
  // v2

  @Test
  void theV2HeadersClientIsTheOneLoggedAndAuditedWithTheBalancerAsVia() throws Exception {
    byte[] header = ProxyHeaderWriter.v2(address("203.0.113.7", 51001), FRONTEND);
    InetSocketAddress balancer;
    try (RawTlsClient c = throughBalancer("behind-lb", header)) {
      balancer = c.localAddress();
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select 1");
      assertThat(c.readUntilReady()).isEqualTo(1);
    }
    String via = "via=" + BALANCER + ":" + balancer.getPort();
    String lines = log.awaitLine("client=203.0.113.7:51001 " + via + ": closed after");
    assertThat(lines).contains("client=203.0.113.7:51001 " + via
        + ": PROXY protocol header: PROXY v2 TCP4 203.0.113.7:51001 -> 10.0.0.5:5432");
    assertThat(lines).contains("client=203.0.113.7:51001 " + via + ": session user=" + Fixture.USER);
    Map<String, String> e = audit.await(v -> "203.0.113.7:51001".equals(v.get("client_address")));
    assertThat(e).containsEntry("peer_address", BALANCER + ":" + balancer.getPort())
        .containsEntry("proxy_header", "PROXY v2 TCP4 203.0.113.7:51001 -> 10.0.0.5:5432")
        .containsEntry("decision", "accepted").containsEntry("route", "behind-lb");
  }

  @Test
  void aV2Tcp6HeaderNamesAnIpv6Client() throws Exception {
    InetSocketAddress client = address("2001:db8::7", 51002);
    byte[] header = ProxyHeaderWriter.v2(client, address("2001:db8::5", 5432));
    try (RawTlsClient c = throughBalancer("behind-lb", header)) {
      c.startup(Fixture.USER, Fixture.DATABASE);
    }
    assertTheLogAndTheAuditName(client, "PROXY v2 TCP6 [2001:db8::7]:51002 -> [2001:db8::5]:5432");
  }

  @Test
  void aLocalHeaderFromTheBalancersOwnCheckLeavesThePeerAsTheClient() throws Exception {
    byte[] local = ProxyHeaderWriter.v2(null, null);
    assertThat(local[12]).as("LOCAL command").isEqualTo((byte) 0x20);
    assertThat(local[13]).as("UNSPEC family").isEqualTo((byte) 0x00);
    assertThePeerIsTheClient(local, "LOCAL v2 UNSPEC");
  }

  @Test
  void aProxyCommandWithTheUnspecFamilyLeavesThePeerAsTheClient() throws Exception {
    byte[] unspec = ProxyHeaderWriter.v2(null, null);
    unspec[12] = 0x21; // version 2, PROXY; the family stays UNSPEC, with no addresses
    assertThePeerIsTheClient(unspec, "PROXY v2 UNSPEC");
  }

  @Test
  void cloudTlvsAndAValidChecksumAreAcceptedAndTheirValuesLogged() throws Exception {
    byte[] vpce = concat(new byte[] {0x01}, "vpce-0123456789abcdef0".getBytes(StandardCharsets.US_ASCII));
    byte[] linkId = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0x01).putInt(305419896).array();
    byte[] header = ProxyHeaderWriter.v2(address("203.0.113.8", 51003), FRONTEND, List.of(new Tlv(0xEA, vpce),
        new Tlv(0xEE, linkId), Tlv.of(0x05, "req-0f3a9c")), Checksum.CRC32C);
    try (RawTlsClient c = throughBalancer("behind-lb", header)) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select 1");
      assertThat(c.readUntilReady()).isEqualTo(1);
    }
    String lines = log.awaitLine("client=203.0.113.8:51003 via=");
    assertThat(lines).contains("PROXY protocol header: PROXY v2 TCP4 203.0.113.8:51003 -> 10.0.0.5:5432")
        .contains("unique_id=req-0f3a9c", "vpce=vpce-0123456789abcdef0", "azure_link_id=305419896");
    assertThat(audit.await(v -> "203.0.113.8:51003".equals(v.get("client_address"))).get("proxy_header"))
        .contains("vpce=vpce-0123456789abcdef0", "azure_link_id=305419896", "unique_id=req-0f3a9c");
  }

  @Test
  void aHeaderWithAWrongChecksumIsClosedAndTheLogSaysWhy() throws Exception {
    long before = refusals("behind-lb", "proxy_header");
    byte[] header = ProxyHeaderWriter.v2(address("203.0.113.9", 51004), FRONTEND, List.of(), Checksum.CRC32C);
    header[header.length - 1] ^= 0x01;
    assertThat(answerTo("behind-lb", BALANCER, header)).as("closed, no 'S'").isEqualTo(-1);
    assertThat(log.awaitLine("CRC32C mismatch")).contains(
        "invalid PROXY protocol header from a trusted peer: v2 CRC32C mismatch").doesNotContain("client=203.0.113.9");
    awaitRefusals("behind-lb", "proxy_header", before + 1);
  }

  @Test
  void aHeaderSentOneByteAtATimeIsReadWhole() throws Exception {
    byte[] header = ProxyHeaderWriter.v2(address("203.0.113.10", 51005), FRONTEND,
        List.of(Tlv.of(0x05, "one-byte-at-a-time")), Checksum.CRC32C);
    RawTlsClient.Opening slowly = RawTlsClient.Opening.from(BALANCER).preamble(header).oneByteAtATime();
    try (RawTlsClient c = new RawTlsClient(port("behind-lb"), f.pki.caCertificateFile(), slowly)) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select 1");
      assertThat(c.readUntilReady()).isEqualTo(1);
    }
    assertThat(log.awaitLine("client=203.0.113.10:51005 via=")).contains("unique_id=one-byte-at-a-time");
  }

  @Test
  void aStalledHeaderIsClosedAtTheRoutesStartupTimeout() throws Exception {
    byte[] header = ProxyHeaderWriter.v2(address("203.0.113.11", 51006), FRONTEND);
    long before = refusals("slow-lb", "proxy_header");
    long start = System.nanoTime();
    try (Socket s = RawTlsClient.Opening.from(BALANCER).preamble(Arrays.copyOf(header, 10)).connect(port("slow-lb"))) {
      s.setSoTimeout(20_000);
      assertThat(read(s)).as("closed without a word").isEqualTo(-1);
    }
    System.out.printf("a stalled PROXY header was closed after %d ms (startup_timeout 1000 ms)%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    assertThat(log.awaitLine("no complete PROXY protocol header"))
        .contains("no complete PROXY protocol header within 1000 ms (startup_timeout); closed");
    awaitRefusals("slow-lb", "proxy_header", before + 1);
  }

  @Test
  void onlyTheFirstOfTwoHeadersIsBelievedAndTheSecondFailsTheStartupCleanly() throws Exception {
    byte[] first = ProxyHeaderWriter.v2(address("203.0.113.12", 51007), FRONTEND);
    byte[] second = ProxyHeaderWriter.v2(address("198.51.100.66", 51008), FRONTEND);
    assertThat(answerTo("behind-lb", BALANCER, concat(first, second))).as("closed, no 'S'").isEqualTo(-1);
    String lines = log.awaitLine("client=203.0.113.12:51007 via=" + BALANCER);
    assertThat(lines).contains("PROXY protocol header: PROXY v2 TCP4 203.0.113.12:51007")
        .doesNotContain("client=198.51.100.66");
    Map<String, String> e = audit.await(v -> "203.0.113.12:51007".equals(v.get("client_address")));
    assertThat(e.get("decision")).isNotEqualTo("accepted");
    assertThat(audit.all()).noneMatch(v -> v.getOrDefault("client_address", "").startsWith("198.51.100.66"));
  }

  // ---------------------------------------------------------------------------------------------
  // v1

  @Test
  void aV1Tcp4LineNamesTheClient() throws Exception {
    byte[] line = ProxyHeaderWriter.v1(address("203.0.113.13", 51009), FRONTEND);
    assertThat(new String(line, StandardCharsets.US_ASCII)).isEqualTo("PROXY TCP4 203.0.113.13 10.0.0.5 51009 5432\r\n");
    try (RawTlsClient c = throughBalancer("behind-lb", line)) {
      c.startup(Fixture.USER, Fixture.DATABASE);
    }
    assertThat(log.awaitLine("client=203.0.113.13:51009 via=" + BALANCER))
        .contains("PROXY protocol header: PROXY v1 TCP4 203.0.113.13:51009 -> 10.0.0.5:5432");
  }

  @Test
  void aV1Tcp6LineNamesTheClient() throws Exception {
    InetSocketAddress client = address("2001:db8::d", 51010);
    byte[] line = ProxyHeaderWriter.v1(client, address("2001:db8::5", 5432));
    assertThat(new String(line, StandardCharsets.US_ASCII))
        .isEqualTo("PROXY TCP6 2001:db8::d 2001:db8::5 51010 5432\r\n");
    try (RawTlsClient c = throughBalancer("behind-lb", line)) {
      c.startup(Fixture.USER, Fixture.DATABASE);
    }
    assertTheLogAndTheAuditName(client, "PROXY v1 TCP6 [2001:db8::d]:51010 -> [2001:db8::5]:5432");
  }

  @Test
  void aV1UnknownLineLeavesThePeerAsTheClient() throws Exception {
    assertThePeerIsTheClient("PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII), "PROXY v1 UNKNOWN");
  }

  @Test
  void aV1LineWithoutItsCrlfWithin107BytesIsClosed() throws Exception {
    long before = refusals("behind-lb", "proxy_header");
    byte[] overlong = ("PROXY UNKNOWN " + "x".repeat(120) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    assertThat(answerTo("behind-lb", BALANCER, overlong)).as("closed, no 'S'").isEqualTo(-1);
    assertThat(log.awaitLine("v1 line longer than"))
        .contains("invalid PROXY protocol header from a trusted peer: v1 line longer than 107 bytes without CRLF");
    awaitRefusals("behind-lb", "proxy_header", before + 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Who may send a header

  @Test
  void aHeaderFromAPeerOutsideTheTrustedBalancersIsRefusedAtOnce() throws Exception {
    long before = refusals("behind-lb", "proxy_untrusted_peer");
    byte[] spoofed = ProxyHeaderWriter.v2(address("203.0.113.66", 51011), FRONTEND);
    assertThat(answerTo("behind-lb", "127.0.0.1", spoofed)).as("closed, no 'S'").isEqualTo(-1);
    assertThat(log.awaitLine("not among proxy_protocol's trusted load balancers"))
        .containsPattern("client=127\\.0\\.0\\.1:\\d+: connection from 127\\.0\\.0\\.1:\\d+, which is not among "
            + "proxy_protocol's trusted load balancers; closed")
        .doesNotContain("203.0.113.66");
    awaitRefusals("behind-lb", "proxy_untrusted_peer", before + 1);
  }

  @Test
  void whereDirectClientsAreServedAnUntrustedPeersHeaderIsPostgresDataAndFails() throws Exception {
    byte[] spoofed = ProxyHeaderWriter.v2(address("203.0.113.67", 51012), FRONTEND);
    assertThat(answerTo("direct-too", "127.0.0.1", spoofed)).as("closed, no 'S'").isEqualTo(-1);
    assertThat(log.awaitLine("invalid length of startup packet")).contains("invalid length of startup packet")
        .doesNotContain("203.0.113.67");
    byte[] v1 = ProxyHeaderWriter.v1(address("203.0.113.67", 51013), FRONTEND);
    assertThat(answerTo("direct-too", "127.0.0.1", v1)).as("closed, no 'S'").isEqualTo(-1);
    try (RawTlsClient direct = new RawTlsClient(port("direct-too"), f.pki.caCertificateFile())) {
      direct.startup(Fixture.USER, Fixture.DATABASE);
      direct.query("select 1");
      assertThat(direct.readUntilReady()).as("a direct client without a header is served").isEqualTo(1);
    }
    assertThat(audit.all()).noneMatch(v -> v.getOrDefault("client_address", "").startsWith("203.0.113.67"));
  }

  @Test
  void aTrustedPeerWithoutAHeaderIsClosedAndLogged() throws Exception {
    long before = refusals("behind-lb", "proxy_header");
    assertThat(answerTo("behind-lb", BALANCER, new byte[0])).as("closed, no 'S'").isEqualTo(-1);
    assertThat(log.awaitLine("invalid PROXY protocol header from a trusted peer"))
        .containsPattern("client=127\\.0\\.0\\.2:\\d+: invalid PROXY protocol header from a trusted peer: .*; closed")
        .contains("a PostgreSQL SSLRequest");
    awaitRefusals("behind-lb", "proxy_header", before + 1);
  }

  // ---------------------------------------------------------------------------------------------
  // What the header's address decides

  @Test
  void aHeadersAddressInsideTheRoutesAllowedSourcesIsServed() throws Exception {
    try (RawTlsClient c = throughBalancer("office-only", ProxyHeaderWriter.v2(address("203.0.113.14", 51014),
        FRONTEND))) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select 1");
      assertThat(c.readUntilReady()).isEqualTo(1);
    }
  }

  @Test
  void aHeadersAddressOutsideTheRoutesAllowedSourcesGets28000NamingTheRoute() throws Exception {
    long before = refusals("office-only", "source_not_allowed");
    try (RawTlsClient c = throughBalancer("office-only", ProxyHeaderWriter.v2(address("198.51.100.9", 51015),
        FRONTEND))) {
      assertThatThrownBy(() -> c.startup(Fixture.USER, Fixture.DATABASE))
          .hasMessageContaining("SFATAL").hasMessageContaining("C28000")
          .hasMessageContaining("Mpgtls route 'office-only' does not accept connections from host \"198.51.100.9\"");
    }
    assertThat(log.awaitLine("allowed_sources")).contains("client=198.51.100.9:51015 via=" + BALANCER);
    awaitRefusals("office-only", "source_not_allowed", before + 1);
  }

  @Test
  void aPlaintextCancelBehindAHeaderCancelsTheQueryOfASessionThatCameThroughOne() throws Exception {
    try (RawTlsClient c = throughBalancer("behind-lb", ProxyHeaderWriter.v2(address("203.0.113.15", 51016),
        FRONTEND))) {
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select pg_sleep(30)");
      Thread.sleep(300);
      byte[] cancel = concat(ProxyHeaderWriter.v2(address("203.0.113.15", 51017), FRONTEND), c.cancelRequest());
      try (Socket s = RawTlsClient.Opening.from(BALANCER).preamble(cancel).connect(port("behind-lb"))) {
        assertThat(read(s)).as("pgtls closes a cancel's connection without a reply").isEqualTo(-1);
      }
      RawTlsClient.Message m;
      do {
        m = c.read(); // RowDescription comes before the error
      } while (m.type != 'E');
      assertThat(m.text()).contains("C57014").contains("canceling statement due to user request");
      c.readUntilReady();
    }
    assertThat(log.awaitLine("CancelRequest (plaintext) forwarded")).containsPattern(
        "client=203\\.0\\.113\\.15:51017 via=127\\.0\\.0\\.2:\\d+: CancelRequest \\(plaintext\\) forwarded");
  }

  // ---------------------------------------------------------------------------------------------

  /** A raw client through the balancer: from 127.0.0.2, {@code header} first. */
  private static RawTlsClient throughBalancer(String route, byte[] header) throws Exception {
    return new RawTlsClient(port(route), f.pki.caCertificateFile(),
        RawTlsClient.Opening.from(BALANCER).preamble(header));
  }

  /**
   * The connection whose header pgtls describes as {@code described}: its log tag and its audit
   * event name {@code client}, and the balancer as {@code via}/{@code peer_address}. Compared as
   * addresses: how an IPv6 address is spelled is not what this checks.
   */
  private void assertTheLogAndTheAuditName(InetSocketAddress client, String described) throws Exception {
    String lines = log.awaitLine("PROXY protocol header: " + described);
    Matcher tag = Pattern.compile("client=(\\S+) via=(127\\.0\\.0\\.2:\\d+): PROXY protocol header: "
        + Pattern.quote(described)).matcher(lines);
    assertThat(tag.find()).as("a tagged header line in%n%s", lines).isTrue();
    assertThat(hostPort(tag.group(1))).isEqualTo(client);
    Map<String, String> e = audit.await(v -> described.equals(v.get("proxy_header")));
    assertThat(hostPort(e.get("client_address"))).isEqualTo(client);
    assertThat(e).containsEntry("peer_address", tag.group(2)).containsEntry("decision", "accepted");
  }

  /** {@code 203.0.113.7:51234} or {@code [2001:db8::7]:51234} as an address. */
  private static InetSocketAddress hostPort(String text) {
    int colon = text.lastIndexOf(':');
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return address(host, Integer.parseInt(text.substring(colon + 1)));
  }

  /** A session behind {@code header}, which names no client: the balancer's address is the client's. */
  private void assertThePeerIsTheClient(byte[] header, String described) throws Exception {
    InetSocketAddress balancer;
    try (RawTlsClient c = throughBalancer("behind-lb", header)) {
      balancer = c.localAddress();
      c.startup(Fixture.USER, Fixture.DATABASE);
      c.query("select 1");
      assertThat(c.readUntilReady()).isEqualTo(1);
    }
    String peer = BALANCER + ":" + balancer.getPort();
    assertThat(log.awaitLine("client=" + peer + " via=" + peer + ": PROXY protocol header"))
        .contains("client=" + peer + " via=" + peer + ": PROXY protocol header: " + described);
    assertThat(audit.await(v -> peer.equals(v.get("client_address")))).containsEntry("peer_address", peer)
        .containsEntry("proxy_header", described).containsEntry("decision", "accepted");
  }

  /** Sends {@code preamble} and an SSLRequest from {@code local}; returns pgtls's answer, -1 when it closed. */
  private static int answerTo(String route, String local, byte[] preamble) throws IOException {
    try (Socket s = RawTlsClient.Opening.from(local).preamble(concat(preamble, RawTlsClient.SSL_REQUEST))
        .connect(port(route))) {
      s.setSoTimeout(10_000);
      return read(s);
    }
  }

  /** The next byte, or -1 at EOF or when pgtls reset the connection (it closed with input unread). */
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

  private static long refusals(String route, String label) {
    return proxy.metrics().stream().filter(m -> m.route().equals(route)).map(RouteMetrics::refusals)
        .mapToLong(r -> r.getOrDefault(label, 0L)).sum();
  }

  /** Waits up to 10 s for the route's {@code label} refusals to reach {@code expected}, then asserts it. */
  private static void awaitRefusals(String route, String label, long expected) throws InterruptedException {
    for (int i = 0; i < 200 && refusals(route, label) < expected; i++) {
      Thread.sleep(50);
    }
    assertThat(refusals(route, label)).as(route + " refusals " + label).isEqualTo(expected);
  }

  private static int port(String route) {
    return proxy.boundAddress(route).getPort();
  }

  private static InetSocketAddress address(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
