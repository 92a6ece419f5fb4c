package io.pgtls.internal.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import javax.net.ssl.SSLEngine;

/**
 * Run in a child JVM whose {@code jdk.tls.keyLimits} is tiny, so TLS 1.3 KeyUpdate messages come
 * in the middle of application data: moves 1 MB each way through two {@link TlsSession}s and exits
 * 0 only if every byte arrived in order.
 */
public final class KeyUpdateMain {
  private KeyUpdateMain() {}

  public static void main(String[] args) throws Exception {
    SelfSignedContexts contexts = new SelfSignedContexts();
    SSLEngine server = contexts.server.createSSLEngine();
    server.setUseClientMode(false);
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    SSLEngine client = contexts.client.createSSLEngine("localhost", 5432);
    client.setUseClientMode(true);
    client.setEnabledProtocols(new String[] {"TLSv1.3"});
    Peer c = new Peer(new TlsSession(client));
    Peer s = new Peer(new TlsSession(server));
    for (int i = 0; i < 50; i++) {
      c.pumpTo(s);
      s.pumpTo(c);
    }
    if (!c.session.handshakeComplete() || !s.session.handshakeComplete()) {
      System.err.println("handshake did not complete");
      System.exit(2);
    }
    byte[] data = new byte[1 << 20];
    new Random(7).nextBytes(data);
    c.toSend = ByteBuffer.wrap(data);
    s.toSend = ByteBuffer.wrap(data.clone());
    for (int i = 0; i < 100_000 && (s.received.size() < data.length || c.received.size() < data.length); i++) {
      c.pumpTo(s);
      s.pumpTo(c);
    }
    boolean ok = Arrays.equals(s.received.toByteArray(), data) && Arrays.equals(c.received.toByteArray(), data);
    System.out.println(ok ? "KEYUPDATE-TRANSFER-OK" : "KEYUPDATE-TRANSFER-FAILED " + s.received.size() + " "
        + c.received.size());
    System.exit(ok ? 0 : 1);
  }

  private static final class Peer {
    final TlsSession session;
    final ByteBuffer netIn = ByteBuffer.allocate(64 * 1024);
    final ByteBuffer netOut = ByteBuffer.allocate(17 * 1024);
    final ByteBuffer plain = ByteBuffer.allocate(17 * 1024);
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    ByteBuffer toSend = ByteBuffer.allocate(0);

    Peer(TlsSession session) throws Exception {
      this.session = session;
      session.begin();
    }

    void pumpTo(Peer other) throws Exception {
      // Receive what arrived, answering whatever the engine needs (KeyUpdate included).
      netIn.flip();
      TlsSession.Status st = session.receive(netIn, plain, netOut);
      netIn.compact();
      if (st == TlsSession.Status.NEED_TASK) {
        session.delegatedTasks().run();
      }
      plain.flip();
      received.write(plain.array(), 0, plain.limit());
      plain.clear();
      // Send a slice of application data.
      if (session.handshakeComplete() && toSend.hasRemaining()) {
        ByteBuffer slice = toSend.duplicate();
        slice.limit(Math.min(toSend.limit(), toSend.position() + 3000));
        int before = slice.position();
        if (session.send(slice, netOut) == TlsSession.Status.NEED_TASK) {
          session.delegatedTasks().run();
        }
        toSend.position(toSend.position() + slice.position() - before);
      }
      netOut.flip();
      int n = Math.min(netOut.remaining(), other.netIn.remaining());
      ByteBuffer part = netOut.duplicate();
      part.limit(part.position() + n);
      other.netIn.put(part);
      netOut.position(netOut.position() + n);
      netOut.compact();
    }
  }
}
