package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.tls.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One side of a proxied connection: a socket, optionally a {@link TlsSession} over it, and the two
 * network buffers. It turns socket bytes into plaintext ({@link #fill}) and plaintext into socket
 * bytes ({@link #drain}); the {@link ProxyConnection} decides when.
 */
final class Leg {
  /** What a {@link #fill} or {@link #drain} call achieved. */
  enum Progress {
    /** Plaintext was produced / everything given was sent. */
    DONE,
    /** Nothing more can be read now: wait for OP_READ. */
    WOULD_BLOCK_READ,
    /** The socket cannot take more now: wait for OP_WRITE. */
    WOULD_BLOCK_WRITE,
    /** The destination buffer is full. */
    DESTINATION_FULL,
    /** SSLEngine delegated tasks must run first. */
    NEEDS_TASK,
    /** The peer finished sending (FIN or close_notify). */
    ENDED
  }

  /** Whether a delegated-task batch is running off the loop for this leg. */
  enum TaskState { IDLE, RUNNING }

  final String side;
  final SocketChannel socket;
  /** What reads and writes go through: the socket, or a wrapper of it in tests. */
  final ByteChannel io;
  final PooledBuffer netIn;
  final PooledBuffer netOut;
  SelectionKey key;
  TlsSession tls;
  TaskState task = TaskState.IDLE;
  /** Set when the selector said readable; cleared when a read returns nothing. */
  boolean readReady = true;
  boolean inputEnded;
  boolean closeNotifyReceived;
  boolean outputShut;
  long bytesRead;
  long bytesWritten;

  Leg(String side, SocketChannel socket, ByteChannel io, BufferPool pool) {
    this.side = side;
    this.socket = socket;
    this.io = io;
    // Network buffers hold plaintext on a plaintext leg and during negotiation: zero them too.
    this.netIn = new PooledBuffer(pool, true, "in");
    this.netOut = new PooledBuffer(pool, true, "out");
  }

  boolean isTls() {
    return tls != null;
  }

  /**
   * Puts this leg under TLS from now on. Its outgoing network buffer then holds only ciphertext
   * (the JDK's wrap copies plaintext into it and encrypts in place within the same call), so it is
   * no longer zeroed each time it drains; the incoming one still is, because unwrap decrypts in
   * place there. Bytes queued before this point (an 'S', an ErrorResponse) were cleartext on the
   * wire anyway.
   */
  void startTls(TlsSession session) {
    this.tls = session;
    netOut.holdsCiphertextOnly();
  }

  /** Reads raw bytes into {@code netIn}; returns the count, 0 if none are ready, -1 at EOF. */
  int readRaw() throws IOException {
    ByteBuffer b = netIn.prepare();
    if (!b.hasRemaining()) {
      return 0;
    }
    int before = b.position();
    int n = io.read(b);
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
    bytesRead += b.position() - before;
    return n;
  }

  /** Writes {@code netOut} to the socket; true when it is empty afterwards. */
  boolean flushRaw() throws IOException {
    if (netOut.isEmpty()) {
      netOut.releaseIfEmpty();
      return true;
    }
    int[] written = {0};
    netOut.consume(b -> written[0] = io.write(b));
    bytesWritten += written[0];
    boolean empty = netOut.isEmpty();
    netOut.releaseIfEmpty();
    return empty;
  }

  /** Queues raw bytes (an 'S' answer, an SSLRequest, a plaintext ErrorResponse) for the socket. */
  void queueRaw(byte[] bytes) {
    ByteBuffer b = netOut.prepare();
    b.put(bytes);
  }

  /**
   * Produces plaintext into {@code dst}, reading the socket as needed. On a TLS leg this also
   * drives the handshake and answers post-handshake messages.
   */
  Progress fill(PooledBuffer dst) throws IOException {
    if (inputEnded) {
      return Progress.ENDED;
    }
    ByteBuffer out = dst.prepare();
    if (!out.hasRemaining()) {
      return Progress.DESTINATION_FULL;
    }
    int before = out.position();
    Progress p = tls == null ? fillPlain(out) : fillTls(out);
    if (out.position() > before && p != Progress.DESTINATION_FULL) {
      return Progress.DONE;
    }
    dst.releaseIfEmpty();
    return p;
  }

  private Progress fillPlain(ByteBuffer out) throws IOException {
    // Bytes left in netIn from the negotiation phase come first.
    if (!netIn.isEmpty()) {
      netIn.consume(in -> transfer(in, out));
      netIn.releaseIfEmpty();
      return out.hasRemaining() ? Progress.DONE : Progress.DESTINATION_FULL;
    }
    if (!readReady) {
      return Progress.WOULD_BLOCK_READ;
    }
    int n = io.read(out);
    if (n < 0) {
      inputEnded = true;
      return Progress.ENDED;
    }
    bytesRead += n;
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
      TlsSession.Status[] status = {TlsSession.Status.NEED_INPUT};
      if (!netIn.isEmpty() || tls.engine().getHandshakeStatus() != javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
        ByteBuffer netOutBuf = netOut.prepare();
        netIn.consume(in -> status[0] = tls.receive(in, out, netOutBuf));
        if (netIn.peek() == null) {
          status[0] = tls.receive(ByteBuffer.allocate(0), out, netOutBuf);
        }
        netIn.releaseIfEmpty();
        if (!netOut.isEmpty()) {
          flushRaw();
        } else {
          netOut.releaseIfEmpty();
        }
      }
      switch (status[0]) {
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

  /**
   * Sends the plaintext in {@code src}: a TLS leg encrypts it into {@code netOut} and flushes; a
   * plaintext leg writes it straight from {@code src}, so there is no copy.
   */
  Progress drain(PooledBuffer src) throws IOException {
    if (tls == null) {
      if (!flushRaw()) {
        return Progress.WOULD_BLOCK_WRITE;
      }
      int[] written = {0};
      src.consume(b -> written[0] = io.write(b));
      bytesWritten += written[0];
      boolean empty = src.isEmpty();
      src.releaseIfEmpty();
      return empty ? Progress.DONE : Progress.WOULD_BLOCK_WRITE;
    }
    while (true) {
      TlsSession.Status[] status = {TlsSession.Status.OK};
      if (!src.isEmpty()) {
        ByteBuffer netOutBuf = netOut.prepare();
        src.consume(in -> status[0] = tls.send(in, netOutBuf));
      }
      src.releaseIfEmpty();
      boolean flushed = flushRaw();
      switch (status[0]) {
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

  /**
   * Starts closing our sending side: a TLS leg queues close_notify; once {@code netOut} is
   * flushed, {@link #finishShutdown()} sends FIN.
   */
  void beginShutdown() throws IOException {
    if (tls != null && !tls.isOutboundDone()) {
      ByteBuffer b = netOut.prepare();
      while (tls.close(b) == TlsSession.Status.NEED_FLUSH) {
        if (!flushRaw()) {
          break; // the rest goes out when the socket takes it; close() is called again then
        }
        b = netOut.prepare();
      }
      netOut.releaseIfEmpty();
    }
  }

  /** Sends FIN once everything queued is flushed; true when done. */
  boolean finishShutdown() throws IOException {
    if (outputShut) {
      return true;
    }
    if (tls != null && !tls.isOutboundDone()) {
      beginShutdown();
    }
    if (!flushRaw()) {
      return false;
    }
    if (socket.isOpen()) {
      try {
        socket.shutdownOutput();
      } catch (IOException e) {
        // The peer may already have reset the connection; nothing more to send either way.
      }
    }
    outputShut = true;
    return true;
  }

  boolean hasPendingOutput() {
    return !netOut.isEmpty();
  }

  void releaseBuffers() {
    netIn.release();
    netOut.release();
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
