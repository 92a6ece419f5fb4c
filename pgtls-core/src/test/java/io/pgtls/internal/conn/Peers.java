package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.tls.TlsSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * The far ends of the opening stages, speaking the startup protocol over a {@link MemoryPipe}
 * with a real SSLEngine: a PostgreSQL client ({@link #client}) and a PostgreSQL server ({@link
 * #backend}). They use pgtls's own {@link Leg} for their TLS records, which {@code TlsSessionTest}
 * pins against the JDK's engines.
 */
final class Peers {
  private Peers() {}

  /** What a peer does next. */
  private enum Phase { SEND_RAW, READ_ANSWER, READ_REQUEST, TLS, FAILED }

  /**
   * A client: sends each raw request in turn (SSLRequest, GSSENCRequest, or nothing for direct
   * TLS), reads each one-byte answer, and after 'S' (or at once, for direct TLS) handshakes and
   * sends {@code message} inside TLS.
   */
  static final class Client implements StageHarness.Peer {
    private final MemoryPipe.End end;
    private final Leg leg;
    private final SSLEngine engine;
    private final Deque<byte[]> requests;
    private final PooledBuffer plainIn;
    private final PooledBuffer plainOut;
    private final ByteArrayOutputStream answers = new ByteArrayOutputStream();
    private Phase phase;
    private Exception failure;

    Client(MemoryPipe.End end, BufferPool pool, SSLEngine engine, byte[] message, byte[]... requests) {
      this.end = end;
      this.leg = new Leg("peer", end, pool);
      this.engine = engine;
      this.requests = new ArrayDeque<>(List.of(requests));
      this.plainIn = new PooledBuffer(pool, true, "peer-in");
      this.plainOut = new PooledBuffer(pool, true, "peer-out");
      plainOut.prepare().put(message);
      this.phase = Phase.SEND_RAW;
    }

    /** The one-byte answers the client read before TLS, such as "NS". */
    String answers() {
      return answers.toString(StandardCharsets.ISO_8859_1);
    }

    /** Why the client's own handshake failed, if it did. */
    Exception failure() {
      return failure;
    }

    @Override
    public void pump() throws IOException {
      leg.markReadable();
      switch (phase) {
        case SEND_RAW:
          if (requests.isEmpty()) {
            startTls();
            break;
          }
          leg.wire().queue(requests.poll());
          phase = Phase.READ_ANSWER;
          break;
        case READ_ANSWER:
          if (leg.wire().flush()) {
            leg.wire().read();
          }
          if (leg.wire().hasInput()) {
            byte answer = leg.wire().input().get();
            leg.wire().skip(1);
            answers.write(answer);
            if (answer == 'S') {
              startTls();
            } else {
              phase = Phase.SEND_RAW;
            }
          }
          break;
        case TLS:
          tls();
          break;
        case FAILED:
          leg.wire().flush(); // the alert
          break;
        default:
          break;
      }
    }

    private void startTls() throws LegIOException {
      leg.startTls(new TlsSession(engine));
      phase = Phase.TLS;
    }

    private void tls() throws IOException {
      try {
        if (leg.fill(plainIn) == Leg.Progress.NEEDS_TASK) {
          leg.beginTasks().run();
          leg.tasksDone();
        }
        if (leg.handshakeComplete() && (!plainOut.isEmpty() || leg.hasPendingOutput())) {
          leg.drain(plainOut);
        }
      } catch (LegIOException e) {
        failure = e.failure();
        leg.sendFailureAlert();
        phase = Phase.FAILED;
      }
    }
  }

  /**
   * A backend: reads the SSLRequest, answers {@code answer} (such as "S", "N", or "S" with bytes
   * behind it), and after a lone 'S' handshakes as a TLS server. With a null answer it is a
   * plaintext server that says nothing.
   */
  static final class Backend implements StageHarness.Peer {
    private final MemoryPipe.End end;
    private final Leg leg;
    private final SSLEngine engine;
    private final byte[] answer;
    private final PooledBuffer plainIn;
    private final ByteArrayOutputStream request = new ByteArrayOutputStream();
    private final int prefixLength;
    private byte[] prefix = new byte[0];
    private Phase phase;

    Backend(MemoryPipe.End end, BufferPool pool, SSLEngine engine, byte[] answer) {
      this(end, pool, engine, answer, 0);
    }

    /** A backend that first reads {@code prefixLength} bytes (a PROXY protocol header) before the request. */
    Backend(MemoryPipe.End end, BufferPool pool, SSLEngine engine, byte[] answer, int prefixLength) {
      this.prefixLength = prefixLength;
      this.end = end;
      this.leg = new Leg("fake-backend", end, pool);
      this.engine = engine;
      this.answer = answer;
      this.plainIn = new PooledBuffer(pool, true, "backend-in");
      this.phase = answer == null ? Phase.FAILED : Phase.READ_REQUEST;
    }

    /** The bytes read before the request (see the constructor). */
    byte[] prefix() {
      return prefix;
    }

    /** The bytes the backend read before TLS. */
    byte[] request() {
      return request.toByteArray();
    }

    /** The backend's TLS session, once it has one. */
    TlsSession tls() {
      return leg.tls();
    }

    @Override
    public void pump() throws IOException {
      leg.markReadable();
      switch (phase) {
        case READ_REQUEST:
          leg.wire().read();
          if (prefix.length < prefixLength && leg.wire().inputSize() >= prefixLength) {
            prefix = new byte[prefixLength];
            leg.wire().input().get(prefix);
            leg.wire().skip(prefixLength);
          }
          if (prefix.length == prefixLength && leg.wire().inputSize() >= 8) {
            ByteBuffer in = leg.wire().input();
            byte[] eight = new byte[8];
            in.get(eight);
            request.write(eight);
            leg.wire().skip(8);
            leg.wire().queue(answer);
            phase = Phase.SEND_RAW;
          }
          break;
        case SEND_RAW:
          if (leg.wire().flush()) {
            if (answer.length == 1 && answer[0] == 'S') {
              leg.startTls(new TlsSession(engine));
              phase = Phase.TLS;
            } else {
              phase = Phase.FAILED;
            }
          }
          break;
        case TLS:
          if (leg.fill(plainIn) == Leg.Progress.NEEDS_TASK) {
            leg.beginTasks().run();
            leg.tasksDone();
          }
          leg.wire().flush();
          break;
        default:
          break;
      }
    }
  }
}
