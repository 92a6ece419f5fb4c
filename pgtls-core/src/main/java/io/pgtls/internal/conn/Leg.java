package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.Selectable;
import io.pgtls.internal.tls.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLException;

/**
 * One side of a proxied connection: a {@link Wire} (transport and network buffers), optionally a
 * {@link TlsSession} over it, and where its two directions stand. It turns wire bytes into
 * plaintext ({@link #fill}) and plaintext into wire bytes ({@link #drain}); the stages decide
 * when. Every I/O or TLS failure leaves it as a {@link LegIOException} naming the side.
 */
final class Leg {
  /** What a {@link #fill} or {@link #drain} call achieved. */
  enum Progress {
    /** Plaintext was produced / everything given was sent. */
    DONE,
    /** Nothing more can be read now: wait for OP_READ. */
    WOULD_BLOCK_READ,
    /** The transport cannot take more now: wait for OP_WRITE. */
    WOULD_BLOCK_WRITE,
    /** The destination buffer is full. */
    DESTINATION_FULL,
    /** SSLEngine delegated tasks must run first. */
    NEEDS_TASK,
    /** The peer finished sending (FIN or close_notify). */
    ENDED
  }

  /** Whether a delegated-task batch is running off the loop for this leg. */
  private enum TaskState { IDLE, RUNNING }

  private final String side;
  private final Wire wire;
  private TlsSession tls;
  private TaskState task = TaskState.IDLE;
  private boolean inputEnded;
  private boolean closeNotifyReceived;
  private boolean outputShut;

  Leg(String side, Transport transport, BufferPool pool) {
    this.side = side;
    this.wire = new Wire(side, transport, pool);
  }

  String side() {
    return side;
  }

  /** The raw bytes under this leg: what negotiation reads and answers before TLS. */
  Wire wire() {
    return wire;
  }

  // ---------------------------------------------------------------------------------------------
  // What only the driver calls

  void register(EventLoop loop, int ops, Selectable handler) throws IOException {
    wire.register(loop, ops, handler);
  }

  void setInterest(int ops) {
    wire.setInterest(ops);
  }

  boolean isRegistered() {
    return wire.isRegistered();
  }

  /** The selector said this leg is readable. */
  void markReadable() {
    wire.markReadable();
  }

  /** Closes the transport, cancels its key, returns every buffer (zeroed) and releases the TLS engine. */
  void close(EventLoop loop) {
    wire.close(loop);
    if (tls != null) {
      tls.release();
    }
  }

  boolean isOpen() {
    return wire.isOpen();
  }

  boolean hasPendingOutput() {
    return wire.hasPendingOutput();
  }

  // ---------------------------------------------------------------------------------------------
  // TLS and delegated tasks

  /**
   * Puts this leg under TLS from now on and starts the handshake. Its outgoing network buffer then
   * holds only ciphertext (the JDK's wrap copies plaintext into it and encrypts in place within the
   * same call), so it is no longer zeroed each time it drains; the incoming one still is, because
   * unwrap decrypts in place there. Bytes queued before this point (an 'S', an ErrorResponse) were
   * cleartext on the wire anyway.
   */
  void startTls(TlsSession session) throws LegIOException {
    this.tls = session;
    wire.outgoing().holdsCiphertextOnly();
    wire.incoming().prefer(session.prefersDirectBuffers());
    wire.outgoing().prefer(session.prefersDirectBuffers());
    try {
      session.begin();
    } catch (SSLException e) {
      throw new LegIOException(side, e);
    }
  }

  boolean isTls() {
    return tls != null;
  }

  /** The leg's TLS session; only for a TLS leg. */
  TlsSession tls() {
    return tls;
  }

  boolean handshakeComplete() {
    return tls != null && tls.handshakeComplete();
  }

  boolean taskRunning() {
    return task == TaskState.RUNNING;
  }

  /** Marks the leg busy and hands out its engine's delegated tasks, to run off the loop. */
  Runnable beginTasks() {
    task = TaskState.RUNNING;
    return tls.delegatedTasks();
  }

  void tasksDone() {
    task = TaskState.IDLE;
  }

  // ---------------------------------------------------------------------------------------------
  // Plaintext in

  /**
   * Produces plaintext into {@code dst}, reading the transport as needed. On a TLS leg this also
   * drives the handshake and answers post-handshake messages.
   */
  Progress fill(PooledBuffer dst) throws LegIOException {
    if (inputEnded) {
      return Progress.ENDED;
    }
    ByteBuffer out = dst.prepare();
    if (!out.hasRemaining()) {
      return Progress.DESTINATION_FULL;
    }
    int before = out.position();
    Progress p;
    try {
      p = tls == null ? fillPlain(out) : fillTls(out);
    } catch (SSLException e) {
      throw new LegIOException(side, e);
    }
    if (out.position() > before && p != Progress.DESTINATION_FULL) {
      return Progress.DONE;
    }
    dst.releaseIfEmpty();
    return p;
  }

  private Progress fillPlain(ByteBuffer out) throws LegIOException {
    // Bytes left from the negotiation phase come first.
    if (wire.hasInput()) {
      wire.moveInputTo(out);
      return out.hasRemaining() ? Progress.DONE : Progress.DESTINATION_FULL;
    }
    if (!wire.readReady()) {
      return Progress.WOULD_BLOCK_READ;
    }
    int n = wire.readInto(out);
    if (n < 0) {
      inputEnded = true;
      return Progress.ENDED;
    }
    if (n == 0) {
      return Progress.WOULD_BLOCK_READ;
    }
    return out.hasRemaining() ? Progress.DONE : Progress.DESTINATION_FULL;
  }

  private Progress fillTls(ByteBuffer out) throws LegIOException, SSLException {
    while (true) {
      TlsSession.Status status = TlsSession.Status.NEED_INPUT;
      if (wire.hasInput() || tls.isHandshaking()) {
        status = unwrapInto(out);
        PooledBuffer netOut = wire.outgoing();
        if (!netOut.isEmpty()) {
          wire.flush();
        } else {
          netOut.releaseIfEmpty();
        }
      }
      switch (status) {
        case NEED_TASK:
          return Progress.NEEDS_TASK;
        case NEED_FLUSH:
          if (!wire.flush()) {
            return Progress.WOULD_BLOCK_WRITE;
          }
          continue;
        case NEED_PLAIN_SPACE:
          return Progress.DESTINATION_FULL;
        case INBOUND_CLOSED:
          inputEnded = true;
          closeNotifyReceived = true;
          return Progress.ENDED;
        case OUTBOUND_CLOSED:
        case OK:
        case NEED_INPUT:
        default:
          break;
      }
      if (!out.hasRemaining()) {
        return Progress.DESTINATION_FULL;
      }
      if (!wire.readReady()) {
        return Progress.WOULD_BLOCK_READ;
      }
      int n = wire.read();
      if (n < 0) {
        inputEnded = true;
        tls.inputEndedWithoutCloseNotify();
        return Progress.ENDED;
      }
      if (n == 0) {
        return Progress.WOULD_BLOCK_READ;
      }
    }
  }

  /** One pass of the engine over the buffered network input (or none, when it has work of its own). */
  private TlsSession.Status unwrapInto(ByteBuffer out) throws SSLException {
    ByteBuffer netOut = wire.outgoing().prepare();
    PooledBuffer netIn = wire.incoming();
    ByteBuffer in = netIn.beginRead();
    if (in == null) {
      return tls.receive(TlsSession.NO_INPUT, out, netOut);
    }
    try {
      return tls.receive(in, out, netOut);
    } finally {
      netIn.endRead();
      netIn.releaseIfEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Plaintext out

  /**
   * Sends the plaintext in {@code src}: a TLS leg encrypts it into the outgoing buffer and
   * flushes; a plaintext leg writes it straight from {@code src}, so there is no copy.
   */
  Progress drain(PooledBuffer src) throws LegIOException {
    return drain(src, Integer.MAX_VALUE);
  }

  /**
   * Sends at most the first {@code max} bytes of {@code src} (a watch over the stream may hold
   * the rest back); DONE once those are sent.
   */
  Progress drain(PooledBuffer src, int max) throws LegIOException {
    if (tls == null) {
      if (!wire.flush() || !wire.writeFrom(src, max)) {
        return Progress.WOULD_BLOCK_WRITE;
      }
      return Progress.DONE;
    }
    try {
      return drainTls(src, max);
    } catch (SSLException e) {
      throw new LegIOException(side, e);
    }
  }

  private Progress drainTls(PooledBuffer src, int max) throws LegIOException, SSLException {
    int left = max;
    while (true) {
      TlsSession.Status status = TlsSession.Status.OK;
      ByteBuffer in = src.beginRead();
      if (in != null) {
        int limit = in.limit();
        int start = in.position();
        in.limit(start + Math.min(left, limit - start));
        try {
          status = tls.send(in, wire.outgoing().prepare());
        } finally {
          left -= in.position() - start;
          in.limit(limit);
          src.endRead();
        }
      }
      src.releaseIfEmpty();
      boolean flushed = wire.flush();
      switch (status) {
        case NEED_TASK:
          return Progress.NEEDS_TASK;
        case NEED_FLUSH:
          if (!flushed) {
            return Progress.WOULD_BLOCK_WRITE;
          }
          continue;
        case NEED_INPUT:
          return Progress.WOULD_BLOCK_READ;
        case OUTBOUND_CLOSED:
          // TLS 1.2 duplex close: we answered the peer's close_notify, so nothing more can be
          // sent to it. What is left is dropped (the peer said it is gone).
          src.release();
          return flushed ? Progress.DONE : Progress.WOULD_BLOCK_WRITE;
        default:
          return flushed ? Progress.DONE : Progress.WOULD_BLOCK_WRITE;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Closing

  /**
   * Queues a failed handshake's pending alert (for example "certificate required"), so the peer
   * learns why, and starts flushing it.
   */
  void sendFailureAlert() throws LegIOException {
    PooledBuffer netOut = wire.outgoing();
    tls.wrapFailureAlert(netOut.prepare());
    netOut.releaseIfEmpty();
    wire.flush();
  }

  /**
   * Finishes our sending side: a TLS leg queues close_notify, and once everything queued is
   * flushed, FIN goes out. True when done; call again on OP_WRITE otherwise.
   */
  boolean finishShutdown() throws LegIOException {
    if (outputShut) {
      return true;
    }
    if (tls != null && !tls.isOutboundDone()) {
      queueCloseNotify();
    }
    if (!wire.flush()) {
      return false;
    }
    wire.shutdownOutput();
    outputShut = true;
    return true;
  }

  private void queueCloseNotify() throws LegIOException {
    PooledBuffer netOut = wire.outgoing();
    try {
      while (tls.close(netOut.prepare()) == TlsSession.Status.NEED_FLUSH) {
        if (!wire.flush()) {
          break; // the rest goes out when the transport takes it; close() is called again then
        }
      }
    } catch (SSLException e) {
      throw new LegIOException(side, e);
    }
    netOut.releaseIfEmpty();
  }

  /**
   * Reads and drops whatever the peer still sends, until its EOF or until nothing is ready; true
   * once EOF was seen. Closing with unread bytes in the kernel's receive buffer makes Linux send
   * RST, and an RST can destroy an ErrorResponse in flight before the client reads it (psql would
   * show "connection reset" instead).
   */
  boolean discardUntilEof() throws LegIOException {
    while (!inputEnded && wire.readReady()) {
      int n = wire.read();
      wire.discardInput();
      if (n < 0) {
        inputEnded = true;
      }
    }
    return inputEnded;
  }

  boolean inputEnded() {
    return inputEnded;
  }

  boolean closeNotifyReceived() {
    return closeNotifyReceived;
  }

  boolean outputShut() {
    return outputShut;
  }

  @Override
  public String toString() {
    return side + "{" + (tls == null ? "plain" : tls.toString()) + " " + wire
        + (inputEnded ? (closeNotifyReceived ? " in-closed" : " in-eof") : "") + (outputShut ? " out-shut" : "")
        + (task == TaskState.RUNNING ? " task" : "") + "}";
  }
}
