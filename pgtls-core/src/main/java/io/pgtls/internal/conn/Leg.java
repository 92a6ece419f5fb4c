package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.Selectable;
import io.pgtls.internal.tls.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import javax.net.ssl.SSLException;

/**
 * One side of a proxied connection: a {@link Transport}, optionally a {@link TlsSession} over it,
 * and the two network buffers. It turns transport bytes into plaintext ({@link #fill}) and
 * plaintext into transport bytes ({@link #drain}); the stages decide when. Every I/O or TLS
 * failure leaves it as a {@link LegIOException} naming the side.
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
  private final Transport transport;
  private final PooledBuffer netIn;
  private final PooledBuffer netOut;
  private SelectionKey key;
  private TlsSession tls;
  private TaskState task = TaskState.IDLE;
  /** Set when the selector said readable; cleared when a read returns less than asked. */
  private boolean readReady = true;
  private boolean inputEnded;
  private boolean closeNotifyReceived;
  private boolean outputShut;

  Leg(String side, Transport transport, BufferPool pool) {
    this.side = side;
    this.transport = transport;
    // Network buffers hold plaintext on a plaintext leg and during negotiation: zero them too.
    this.netIn = new PooledBuffer(pool, true, "in");
    this.netOut = new PooledBuffer(pool, true, "out");
  }

  String side() {
    return side;
  }

  // ---------------------------------------------------------------------------------------------
  // The selector: only the driver calls these

  void register(EventLoop loop, int ops, Selectable handler) throws IOException {
    key = loop.register(transport.selectable(), ops, handler);
  }

  void setInterest(int ops) {
    if (key != null && key.isValid() && key.interestOps() != ops) {
      key.interestOps(ops);
    }
  }

  boolean isRegistered() {
    return key != null;
  }

  /** The selector said this leg is readable. */
  void markReadable() {
    readReady = true;
  }

  /** Closes the transport, cancels its key and returns every buffer (zeroed). */
  void close(EventLoop loop) {
    if (key != null) {
      key.cancel();
      loop.deregistered();
      key = null;
    }
    try {
      transport.close();
    } catch (IOException ignored) {
      // nothing to do: the transport is going away either way
    }
    netIn.release();
    netOut.release();
  }

  boolean isOpen() {
    return transport.isOpen();
  }

  /** Completes a pending connect; false while it is still in progress. */
  boolean finishConnect() throws LegIOException {
    try {
      return transport.finishConnect();
    } catch (IOException e) {
      throw new LegIOException(side, e);
    }
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
    netOut.holdsCiphertextOnly();
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
  // Before TLS: raw bytes

  /** Reads raw bytes into the incoming buffer; returns the count, 0 if none are ready, -1 at EOF. */
  int readRaw() throws LegIOException {
    ByteBuffer b = netIn.prepare();
    if (!b.hasRemaining()) {
      return 0;
    }
    int n;
    try {
      n = transport.read(b);
    } catch (IOException e) {
      throw new LegIOException(side, e);
    }
    if (n < 0) {
      netIn.releaseIfEmpty();
      return -1;
    }
    if (n == 0) {
      readReady = false;
      netIn.releaseIfEmpty();
    } else if (b.hasRemaining()) {
      // A short read most likely emptied the kernel's receive buffer: wait for the selector
      // rather than spend a syscall finding out.
      readReady = false;
    }
    return n;
  }

  /** Reads raw bytes if the selector said there are some: -1 at EOF, else how many. */
  int readRawIfReady() throws LegIOException {
    return readReady ? readRaw() : 0;
  }

  boolean readReady() {
    return readReady;
  }

  /** The raw bytes read and not yet taken, in read mode; looking does not take them. */
  ByteBuffer rawInput() {
    return netIn.view();
  }

  boolean hasRawInput() {
    return !netIn.isEmpty();
  }

  int rawInputSize() {
    return netIn.size();
  }

  /** Takes the first {@code n} raw bytes away. */
  void skipRawInput(int n) {
    ByteBuffer b = netIn.beginRead();
    if (b != null) {
      b.position(b.position() + n);
      netIn.endRead();
      netIn.releaseIfEmpty();
    }
  }

  /** Moves the first {@code length} raw bytes into {@code dst} and drops the rest. */
  void takeRawPacket(int length, PooledBuffer dst) {
    ByteBuffer src = netIn.view();
    src.limit(src.position() + length);
    dst.prepare().put(src);
    netIn.release();
  }

  /** Moves every raw byte read so far into {@code dst}, in order. */
  void moveRawInputTo(PooledBuffer dst) {
    ByteBuffer b = netIn.beginRead();
    if (b != null) {
      dst.prepare().put(b);
      netIn.endRead();
      netIn.releaseIfEmpty();
    }
  }

  /** Drops whatever raw input is buffered (zeroing it). */
  void discardRawInput() {
    netIn.release();
  }

  /** Queues raw bytes (an 'S' answer, an SSLRequest, a plaintext ErrorResponse) for the transport. */
  void queueRaw(byte[] bytes) {
    netOut.prepare().put(bytes);
  }

  /** Writes the outgoing buffer to the transport; true when it is empty afterwards. */
  boolean flushRaw() throws LegIOException {
    ByteBuffer b = netOut.beginRead();
    if (b == null) {
      return true;
    }
    try {
      transport.write(b);
    } catch (IOException e) {
      throw new LegIOException(side, e);
    } finally {
      netOut.endRead();
    }
    boolean empty = netOut.isEmpty();
    netOut.releaseIfEmpty();
    return empty;
  }

  boolean hasPendingOutput() {
    return !netOut.isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Plaintext in and out

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
    } catch (LegIOException e) {
      throw e;
    } catch (IOException e) {
      throw new LegIOException(side, e);
    }
    if (out.position() > before && p != Progress.DESTINATION_FULL) {
      return Progress.DONE;
    }
    dst.releaseIfEmpty();
    return p;
  }

  private Progress fillPlain(ByteBuffer out) throws IOException {
    // Bytes left in netIn from the negotiation phase come first.
    ByteBuffer in = netIn.beginRead();
    if (in != null) {
      transfer(in, out);
      netIn.endRead();
      netIn.releaseIfEmpty();
      return out.hasRemaining() ? Progress.DONE : Progress.DESTINATION_FULL;
    }
    if (!readReady) {
      return Progress.WOULD_BLOCK_READ;
    }
    int n = transport.read(out);
    if (n < 0) {
      inputEnded = true;
      return Progress.ENDED;
    }
    if (n == 0 || out.hasRemaining()) {
      readReady = false;
    }
    if (n == 0) {
      return Progress.WOULD_BLOCK_READ;
    }
    return out.hasRemaining() ? Progress.DONE : Progress.DESTINATION_FULL;
  }

  private Progress fillTls(ByteBuffer out) throws IOException {
    while (true) {
      TlsSession.Status status = TlsSession.Status.NEED_INPUT;
      if (!netIn.isEmpty() || tls.isHandshaking()) {
        status = unwrapInto(out);
        if (!netOut.isEmpty()) {
          flushRaw();
        } else {
          netOut.releaseIfEmpty();
        }
      }
      switch (status) {
        case NEED_TASK:
          return Progress.NEEDS_TASK;
        case NEED_FLUSH:
          if (!flushRaw()) {
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
      if (!readReady) {
        return Progress.WOULD_BLOCK_READ;
      }
      int n = readRaw();
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
    ByteBuffer netOutBuf = netOut.prepare();
    ByteBuffer in = netIn.beginRead();
    if (in == null) {
      return tls.receive(TlsSession.NO_INPUT, out, netOutBuf);
    }
    try {
      return tls.receive(in, out, netOutBuf);
    } finally {
      netIn.endRead();
      netIn.releaseIfEmpty();
    }
  }

  /**
   * Sends the plaintext in {@code src}: a TLS leg encrypts it into the outgoing buffer and
   * flushes; a plaintext leg writes it straight from {@code src}, so there is no copy.
   */
  Progress drain(PooledBuffer src) throws LegIOException {
    try {
      return tls == null ? drainPlain(src) : drainTls(src);
    } catch (LegIOException e) {
      throw e;
    } catch (IOException e) {
      throw new LegIOException(side, e);
    }
  }

  private Progress drainPlain(PooledBuffer src) throws IOException {
    if (!flushRaw()) {
      return Progress.WOULD_BLOCK_WRITE;
    }
    ByteBuffer b = src.beginRead();
    if (b != null) {
      try {
        transport.write(b);
      } finally {
        src.endRead();
      }
    }
    boolean empty = src.isEmpty();
    src.releaseIfEmpty();
    return empty ? Progress.DONE : Progress.WOULD_BLOCK_WRITE;
  }

  private Progress drainTls(PooledBuffer src) throws IOException {
    while (true) {
      TlsSession.Status status = TlsSession.Status.OK;
      ByteBuffer in = src.beginRead();
      if (in != null) {
        try {
          status = tls.send(in, netOut.prepare());
        } finally {
          src.endRead();
        }
      }
      src.releaseIfEmpty();
      boolean flushed = flushRaw();
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
    tls.wrapFailureAlert(netOut.prepare());
    netOut.releaseIfEmpty();
    flushRaw();
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
    if (!flushRaw()) {
      return false;
    }
    if (transport.isOpen()) {
      try {
        transport.shutdownOutput();
      } catch (IOException e) {
        // The peer may already have reset the connection; nothing more to send either way.
      }
    }
    outputShut = true;
    return true;
  }

  private void queueCloseNotify() throws LegIOException {
    try {
      ByteBuffer b = netOut.prepare();
      while (tls.close(b) == TlsSession.Status.NEED_FLUSH) {
        if (!flushRaw()) {
          break; // the rest goes out when the transport takes it; close() is called again then
        }
        b = netOut.prepare();
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
    while (!inputEnded && readReady) {
      int n = readRaw();
      netIn.release();
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

  private static void transfer(ByteBuffer from, ByteBuffer to) {
    int n = Math.min(from.remaining(), to.remaining());
    ByteBuffer slice = from.duplicate();
    slice.limit(from.position() + n);
    to.put(slice);
    from.position(from.position() + n);
  }

  @Override
  public String toString() {
    return side + "{" + (tls == null ? "plain" : tls.toString()) + " " + netIn + " " + netOut
        + (readReady ? " readable" : "") + (inputEnded ? (closeNotifyReceived ? " in-closed" : " in-eof") : "")
        + (outputShut ? " out-shut" : "") + (task == TaskState.RUNNING ? " task" : "") + "}";
  }
}
