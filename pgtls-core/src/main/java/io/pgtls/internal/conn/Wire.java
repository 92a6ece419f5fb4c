package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.Selectable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * The raw side of a {@link Leg}: its transport, its selection key, and the two network buffers
 * with the bytes read and not yet taken and the bytes queued and not yet written. Before TLS these
 * hold the startup packets and answers; under TLS, records. Every failure leaves as a {@link
 * LegIOException} naming the side.
 */
final class Wire {
  private final String side;
  private final Transport transport;
  private final PooledBuffer in;
  private final PooledBuffer out;
  private SelectionKey key;
  /** Set when the selector said readable; cleared when a read returns less than asked. */
  private boolean readReady = true;

  Wire(String side, Transport transport, BufferPool pool) {
    this.side = side;
    this.transport = transport;
    // Network buffers hold plaintext on a plaintext leg and during negotiation: zero them too.
    this.in = new PooledBuffer(pool, true, "in");
    this.out = new PooledBuffer(pool, true, "out");
  }

  // ---------------------------------------------------------------------------------------------
  // The selector

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

  void markReadable() {
    readReady = true;
  }

  boolean readReady() {
    return readReady;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** Reads into the incoming buffer; returns the count, 0 if none are ready, -1 at EOF. */
  int read() throws LegIOException {
    ByteBuffer b = in.prepare();
    if (!b.hasRemaining()) {
      return 0;
    }
    int n = readInto(b);
    if (n <= 0) {
      in.releaseIfEmpty();
    }
    return n;
  }

  /** Reads if the selector said there are bytes: -1 at EOF, else how many. */
  int readIfReady() throws LegIOException {
    return readReady ? read() : 0;
  }

  /**
   * Reads straight into {@code dst} (a plaintext leg's relay buffer, no copy). A short read most
   * likely emptied the kernel's receive buffer: wait for the selector rather than spend a syscall
   * finding out.
   */
  int readInto(ByteBuffer dst) throws LegIOException {
    int n;
    try {
      n = transport.read(dst);
    } catch (IOException e) {
      throw new LegIOException(side, e);
    }
    if (n == 0 || (n > 0 && dst.hasRemaining())) {
      readReady = false;
    }
    return n;
  }

  /** The bytes read and not yet taken, in read mode; looking does not take them. */
  ByteBuffer input() {
    return in.view();
  }

  boolean hasInput() {
    return !in.isEmpty();
  }

  int inputSize() {
    return in.size();
  }

  /** Whether the incoming buffer has no room left: what arrived so far is all that will fit. */
  boolean inputFull() {
    return in.isFull();
  }

  /** The incoming buffer itself, for a TLS engine to unwrap from (with beginRead/endRead). */
  PooledBuffer incoming() {
    return in;
  }

  /** The outgoing buffer itself, for a TLS engine to wrap into. */
  PooledBuffer outgoing() {
    return out;
  }

  /** Takes the first {@code n} bytes away. */
  void skip(int n) {
    ByteBuffer b = in.beginRead();
    if (b != null) {
      b.position(b.position() + n);
      in.endRead();
      in.releaseIfEmpty();
    }
  }

  /** Moves the first {@code length} bytes into {@code dst} and drops the rest. */
  void takePacket(int length, PooledBuffer dst) {
    ByteBuffer src = in.view();
    src.limit(src.position() + length);
    dst.prepare().put(src);
    in.release();
  }

  /**
   * Moves buffered input into {@code dst}, as much as fits, in order (all of it when {@code dst}
   * is empty: both are pool buffers of one size).
   */
  void moveInputTo(ByteBuffer dst) {
    ByteBuffer b = in.beginRead();
    if (b != null) {
      int n = Math.min(b.remaining(), dst.remaining());
      ByteBuffer slice = b.duplicate();
      slice.limit(b.position() + n);
      dst.put(slice);
      b.position(b.position() + n);
      in.endRead();
      in.releaseIfEmpty();
    }
  }

  /** Drops whatever input is buffered (zeroing it). */
  void discardInput() {
    in.release();
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /** Queues bytes (an 'S' answer, an SSLRequest, a plaintext ErrorResponse) for the transport. */
  void queue(byte[] bytes) {
    out.prepare().put(bytes);
  }

  /** Writes the outgoing buffer to the transport; true when it is empty afterwards. */
  boolean flush() throws LegIOException {
    return writeFrom(out);
  }

  /** Writes {@code src} (in write mode) to the transport; true when it is empty afterwards. */
  boolean writeFrom(PooledBuffer src) throws LegIOException {
    return writeFrom(src, Integer.MAX_VALUE);
  }

  /** Writes at most the first {@code max} bytes of {@code src}; true when those are all written. */
  boolean writeFrom(PooledBuffer src, int max) throws LegIOException {
    ByteBuffer b = src.beginRead();
    if (b == null) {
      return true;
    }
    int limit = b.limit();
    int end = b.position() + Math.min(max, limit - b.position());
    b.limit(end);
    boolean all;
    try {
      transport.write(b);
      all = b.position() == end;
    } catch (IOException e) {
      throw new LegIOException(side, e);
    } finally {
      b.limit(limit);
      src.endRead();
    }
    src.releaseIfEmpty();
    return all;
  }

  boolean hasPendingOutput() {
    return !out.isEmpty();
  }

  /** Sends FIN; a peer that already reset the connection needs nothing more either way. */
  void shutdownOutput() {
    if (transport.isOpen()) {
      try {
        transport.shutdownOutput();
      } catch (IOException e) {
        // nothing more to send either way
      }
    }
  }

  boolean finishConnect() throws LegIOException {
    try {
      return transport.finishConnect();
    } catch (IOException e) {
      throw new LegIOException(side, e);
    }
  }

  boolean isOpen() {
    return transport.isOpen();
  }

  /** Closes the transport, cancels the key and returns both buffers (zeroed). */
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
    in.release();
    out.release();
  }

  @Override
  public String toString() {
    return in + " " + out + (readReady ? " readable" : "");
  }
}
