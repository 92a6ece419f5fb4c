package io.pgtls.boringssl;

import io.pgtls.internal.tls.TlsSession;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * Two {@link TlsSession}s pumped in memory the way pgtls's Leg drives one: a session is asked to
 * receive only when network bytes wait or the engine says it is handshaking, delegated tasks run
 * when it asks, and nothing else wakes it. So an engine that waits for a call pgtls never makes
 * shows up as a stall (the pump gives up after a number of idle rounds), never as a hang.
 */
final class Sides {
  /** One side: a session and its buffers (all in write mode between calls). */
  static final class Side {
    final String name;
    final SSLEngine engine;
    final TlsSession session;
    final ByteBuffer netIn = ByteBuffer.allocate(64 * 1024);
    final ByteBuffer netOut = ByteBuffer.allocate(64 * 1024);
    final ByteBuffer plain = ByteBuffer.allocate(64 * 1024);
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    TlsSession.Status last;
    int tasksRun;

    Side(String name, SSLEngine engine, Runnable release) {
      this.name = name;
      this.engine = engine;
      this.session = new TlsSession(engine, release);
    }

    /** One pass as Leg.fillTls makes it; true if anything moved. */
    boolean pass() throws Exception {
      if (netIn.position() == 0 && !session.isHandshaking()) {
        return false;
      }
      int inBefore = netIn.position();
      int outBefore = netOut.position();
      netIn.flip();
      last = session.receive(netIn.hasRemaining() ? netIn : TlsSession.NO_INPUT, plain, netOut);
      netIn.compact();
      plain.flip();
      boolean producedPlain = plain.hasRemaining();
      received.write(plain.array(), plain.position(), plain.remaining());
      plain.clear();
      if (last == TlsSession.Status.NEED_TASK) {
        session.delegatedTasks().run();
        tasksRun++;
        return true;
      }
      return netIn.position() != inBefore || netOut.position() != outBefore || producedPlain;
    }

    void send(byte[] bytes) throws Exception {
      last = session.send(ByteBuffer.wrap(bytes), netOut);
    }

    @Override
    public String toString() {
      return name + " " + session + " last=" + last;
    }
  }

  private Sides() {
  }

  /** Moves what {@code from} wrote into {@code to}'s input. */
  static boolean transfer(Side from, Side to) {
    from.netOut.flip();
    boolean moved = from.netOut.hasRemaining();
    to.netIn.put(from.netOut);
    from.netOut.clear();
    return moved;
  }

  /**
   * Pumps until {@code done} holds; throws, naming both sides, if three rounds pass in which
   * nothing moves (what pgtls would see as a connection waiting until its handshake timeout).
   */
  static void pumpUntil(Side client, Side server, Supplier<Boolean> done) throws Exception {
    int idle = 0;
    for (int round = 0; round < 200 && !done.get(); round++) {
      boolean moved = client.pass() | server.pass();
      moved |= transfer(client, server) | transfer(server, client);
      idle = moved ? 0 : idle + 1;
      if (idle >= 3) {
        throw new AssertionError("stalled: " + client + " / " + server);
      }
    }
    if (!done.get()) {
      throw new AssertionError("not done after 200 rounds: " + client + " / " + server);
    }
  }

  static void handshake(Side client, Side server) throws Exception {
    client.session.begin();
    server.session.begin();
    pumpUntil(client, server, () -> client.session.handshakeComplete() && server.session.handshakeComplete()
        && client.netOut.position() == 0 && server.netOut.position() == 0);
  }
}
