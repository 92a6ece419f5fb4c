package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two {@link TlsSession}s, one per engine, pumped through in-memory buffers with random partial
 * transfers (the JDK's SSLEngineTemplate and Elasticsearch's SSLDriverTests, with chaos): no
 * sockets, so every underflow, overflow and split-record path is reached.
 */
class TlsSessionTest {
  private static SelfSignedContexts contexts;

  @BeforeAll
  static void contexts() throws Exception {
    contexts = new SelfSignedContexts();
  }

  /** One side: a session and its buffers. */
  private static final class Side {
    final TlsSession session;
    final ByteBuffer netIn = ByteBuffer.allocate(64 * 1024); // write mode
    final ByteBuffer netOut = ByteBuffer.allocate(17 * 1024); // write mode
    final ByteBuffer plainIn = ByteBuffer.allocate(17 * 1024); // write mode: decrypted, not yet taken
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean inboundClosed;

    Side(SSLEngine engine) throws Exception {
      session = new TlsSession(engine);
      session.begin();
    }

    void receive() throws Exception {
      for (int i = 0; i < 100; i++) {
        netIn.flip();
        TlsSession.Status s = session.receive(netIn, plainIn, netOut);
        netIn.compact();
        takePlain();
        if (s == TlsSession.Status.NEED_TASK) {
          session.delegatedTasks().run();
          continue;
        }
        if (s == TlsSession.Status.INBOUND_CLOSED) {
          inboundClosed = true;
        }
        if (s != TlsSession.Status.NEED_PLAIN_SPACE) {
          return;
        }
      }
    }

    void takePlain() {
      plainIn.flip();
      received.write(plainIn.array(), plainIn.position(), plainIn.remaining());
      plainIn.clear();
    }
  }

  private final Random random = new Random(42);

  /** Moves a random-sized prefix (possibly empty) of {@code from.netOut} into {@code to.netIn}. */
  private void transfer(Side from, Side to, boolean chaos) {
    from.netOut.flip();
    int n = from.netOut.remaining();
    if (chaos && n > 0) {
      n = random.nextInt(n + 1);
    }
    n = Math.min(n, to.netIn.remaining());
    ByteBuffer slice = from.netOut.duplicate();
    slice.limit(slice.position() + n);
    to.netIn.put(slice);
    from.netOut.position(from.netOut.position() + n);
    from.netOut.compact();
  }

  private void pump(Side a, Side b, int rounds) throws Exception {
    for (int i = 0; i < rounds; i++) {
      a.receive();
      b.receive();
      transfer(a, b, true);
      transfer(b, a, true);
    }
    // Then without chaos until quiet.
    for (int i = 0; i < 50; i++) {
      a.receive();
      b.receive();
      transfer(a, b, false);
      transfer(b, a, false);
    }
  }

  private Side[] connect(String protocol) throws Exception {
    SSLEngine server = contexts.server.createSSLEngine();
    server.setUseClientMode(false);
    server.setEnabledProtocols(new String[] {protocol});
    SSLEngine client = contexts.client.createSSLEngine("localhost", 5432);
    client.setUseClientMode(true);
    client.setEnabledProtocols(new String[] {protocol});
    Side s = new Side(server);
    Side c = new Side(client);
    pump(c, s, 200);
    assertThat(c.session.handshakeComplete()).as("client handshake").isTrue();
    assertThat(s.session.handshakeComplete()).as("server handshake").isTrue();
    return new Side[] {c, s};
  }

  private void send(Side from, byte[] data, Side to) throws Exception {
    ByteBuffer src = ByteBuffer.wrap(data);
    int guard = 0;
    while (src.hasRemaining() && guard++ < 100_000) {
      // Feed in random slices so records of every size are produced.
      ByteBuffer slice = src.duplicate();
      slice.limit(Math.min(src.limit(), src.position() + 1 + random.nextInt(20_000)));
      int before = slice.position();
      TlsSession.Status st = from.session.send(slice, from.netOut);
      src.position(src.position() + (slice.position() - before));
      transfer(from, to, true);
      to.receive();
      if (st == TlsSession.Status.NEED_FLUSH) {
        transfer(from, to, false);
      }
    }
    pump(from, to, 20);
  }

  /** The JDK's engine copies direct buffers into arrays for its cipher; its legs take heap buffers. */
  @Test
  void theJdksEngineAsksForHeapBuffers() {
    assertThat(new TlsSession(contexts.server.createSSLEngine()).prefersDirectBuffers()).isFalse();
  }

  @Test
  void tls12ListenerSessionCannotBeResumedOnceItsHandshakeIsDone() throws Exception {
    Side[] sides = connect("TLSv1.2");
    assertThat(sides[1].session.engine().getSession().isValid()).as("listener session resumable").isFalse();
    assertThat(sides[0].session.engine().getSession().isValid()).as("a client-mode session is left alone").isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void recordsSplitAtRandomPointsArriveWholeAndInOrder(String protocol) throws Exception {
    Side[] cs = connect(protocol);
    byte[] data = new byte[300_000];
    random.nextBytes(data);
    send(cs[0], data, cs[1]);
    assertThat(cs[1].received.toByteArray()).isEqualTo(data);
    byte[] back = new byte[100_000];
    random.nextBytes(back);
    send(cs[1], back, cs[0]);
    assertThat(cs[0].received.toByteArray()).isEqualTo(back);
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void applicationDataInTheSameBufferAsTheLastHandshakeRecordIsNotStranded(String protocol) throws Exception {
    SSLEngine server = contexts.server.createSSLEngine();
    server.setUseClientMode(false);
    server.setEnabledProtocols(new String[] {protocol});
    SSLEngine clientEngine = contexts.client.createSSLEngine("localhost", 5432);
    clientEngine.setUseClientMode(true);
    clientEngine.setEnabledProtocols(new String[] {protocol});
    Side s = new Side(server);
    Side c = new Side(clientEngine);
    // Drive the handshake, but hold the client's last flight back until it also carries data.
    for (int i = 0; i < 50 && !c.session.handshakeComplete(); i++) {
      c.receive();
      transfer(c, s, false);
      s.receive();
      transfer(s, c, false);
    }
    c.receive();
    assertThat(c.session.handshakeComplete()).isTrue();
    byte[] startup = "StartupMessage".getBytes();
    assertThat(c.session.send(ByteBuffer.wrap(startup), c.netOut)).isEqualTo(TlsSession.Status.OK);
    transfer(c, s, false); // Finished (if still pending) and the data, in one go
    s.receive();
    assertThat(s.session.handshakeComplete()).isTrue();
    assertThat(new String(s.received.toByteArray())).isEqualTo("StartupMessage");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void closeNotifyEndsInboundAndTheOtherDirectionFollowsTheProtocolsRules(String protocol) throws Exception {
    Side[] cs = connect(protocol);
    Side c = cs[0];
    Side s = cs[1];
    assertThat(c.session.close(c.netOut)).isEqualTo(TlsSession.Status.OK);
    transfer(c, s, false);
    s.receive();
    assertThat(s.inboundClosed).isTrue();
    assertThat(s.session.isInboundDone()).isTrue();
    if (protocol.equals("TLSv1.3")) {
      // TLS 1.3 is half-close (JDK-8207009): the server may still send.
      assertThat(s.session.isOutboundDone()).isFalse();
      assertThat(s.session.send(ByteBuffer.wrap("last words".getBytes()), s.netOut)).isEqualTo(TlsSession.Status.OK);
      transfer(s, c, false);
      c.receive();
      assertThat(new String(c.received.toByteArray())).isEqualTo("last words");
      assertThat(s.session.close(s.netOut)).isEqualTo(TlsSession.Status.OK);
    } else {
      // TLS 1.2 is duplex close: the server answered with its own close_notify.
      assertThat(s.session.isOutboundDone()).isTrue();
      assertThat(s.session.send(ByteBuffer.wrap("x".getBytes()), s.netOut)).isEqualTo(TlsSession.Status.OUTBOUND_CLOSED);
    }
    transfer(s, c, false);
    c.receive();
    assertThat(c.session.isInboundDone()).isTrue();
    assertThat(c.session.mode()).isEqualTo(TlsSession.Mode.CLOSED);
  }

  @org.junit.jupiter.api.Test
  void tls13SessionTicketProducesNoPlaintextAndIsNotMistakenForEndOfStream() throws Exception {
    Side[] cs = connect("TLSv1.3");
    // The server's NewSessionTicket was consumed by the client during the pump: nothing
    // decrypted, nothing closed.
    assertThat(cs[0].received.size()).isZero();
    assertThat(cs[0].inboundClosed).isFalse();
    assertThat(cs[0].session.mode()).isEqualTo(TlsSession.Mode.APPLICATION);
  }

  @org.junit.jupiter.api.Test
  void peerEofWithoutCloseNotifyIsNotAnError() throws Exception {
    Side[] cs = connect("TLSv1.3");
    cs[1].session.inputEndedWithoutCloseNotify();
    assertThat(cs[1].session.isInboundDone()).isTrue();
  }

  @org.junit.jupiter.api.Test
  void tls12RenegotiationIsRefusedLikePostgresqlDoes() throws Exception {
    Side[] cs = connect("TLSv1.2");
    cs[0].session.engine().beginHandshake(); // the client asks to renegotiate
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> pump(cs[0], cs[1], 20))
        .isInstanceOf(javax.net.ssl.SSLException.class)
        .hasMessage("TLS renegotiation is not allowed");
  }

  private static final byte[] SECRET = "select 'a password nobody may see' as secret".getBytes(StandardCharsets.US_ASCII);

  /**
   * The outgoing network buffer of a TLS leg is not zeroed when it drains (Leg.startTls): that is
   * safe only while the JDK's wrap leaves nothing but ciphertext in it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void wrapLeavesNoPlaintextInTheOutgoingBuffer(String protocol) throws Exception {
    Side[] cs = connect(protocol);
    Side client = cs[0];
    client.netOut.clear();
    assertThat(client.session.send(ByteBuffer.wrap(SECRET), client.netOut)).isEqualTo(TlsSession.Status.OK);
    assertThat(client.netOut.position()).isGreaterThan(SECRET.length);
    assertThat(indexOf(client.netOut.array(), SECRET)).as("plaintext in the wrapped buffer").isEqualTo(-1);
  }

  /**
   * The JDK quirk that keeps the incoming network buffer zeroed on every drain: unwrap decrypts in
   * place in its source, so after it the buffer holds the record's plaintext.
   */
  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void unwrapDecryptsInPlaceSoTheIncomingBufferHoldsPlaintext(String protocol) throws Exception {
    Side[] cs = connect(protocol);
    Side client = cs[0];
    Side server = cs[1];
    client.netOut.clear();
    server.netIn.clear();
    client.session.send(ByteBuffer.wrap(SECRET), client.netOut);
    transfer(client, server, false);
    server.receive();
    assertThat(server.received.toString(StandardCharsets.US_ASCII)).endsWith(new String(SECRET, StandardCharsets.US_ASCII));
    assertThat(indexOf(server.netIn.array(), SECRET)).as("plaintext left in the unwrapped buffer").isNotEqualTo(-1);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
