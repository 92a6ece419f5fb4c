package io.pgtls.internal.buffer;

import java.nio.ByteBuffer;

/**
 * A slot that holds a pooled buffer only while it has data: {@link #prepare()} borrows on first
 * use, {@link #releaseIfEmpty()} gives the buffer back as soon as it is drained, so an idle
 * connection holds no buffers at all (the habit of tls-channel's BufferHolder and Jetty's
 * releaseEmpty*Buffer). The buffer is kept in write mode: its data is [0, position).
 */
public final class PooledBuffer {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  private final BufferPool pool;
  /** Whether drained data must be zeroed before the buffer goes back; see holdsCiphertextOnly. */
  private boolean plaintext;
  private final String name;
  private ByteBuffer buffer;
  /** The kind borrowed next: direct until a heap-preferring TLS engine takes the slot over. */
  private boolean direct = true;
  /** How far into the buffer data has reached since it was borrowed: what must be zeroed. */
  private int highWater;

  public PooledBuffer(BufferPool pool, boolean plaintext, String name) {
    this.pool = pool;
    this.plaintext = plaintext;
    this.name = name;
  }

  /**
   * From now on this slot carries only ciphertext: releasing it when drained skips the zeroing.
   * {@link #release()} (on close, whatever the buffer holds) still zeroes all of it.
   */
  public void holdsCiphertextOnly() {
    plaintext = false;
  }

  /**
   * The kind of buffer to borrow from now on (see {@link BufferPool}): what the slot holds now
   * keeps its data and goes back when drained.
   */
  public void prefer(boolean directBuffers) {
    this.direct = directBuffers;
    releaseIfEmpty();
  }

  /** The buffer, borrowing one if none is held; in write mode. */
  public ByteBuffer prepare() {
    if (buffer == null) {
      buffer = pool.borrow(direct);
      highWater = 0;
    }
    return buffer;
  }

  /** The buffer if held, else null. */
  public ByteBuffer peek() {
    return buffer;
  }

  public boolean isEmpty() {
    return buffer == null || buffer.position() == 0;
  }

  public int size() {
    return buffer == null ? 0 : buffer.position();
  }

  public boolean isFull() {
    return buffer != null && !buffer.hasRemaining();
  }

  /** Drops the data from {@code newSize} on (the bytes stay dirty until the buffer is zeroed). */
  public void truncate(int newSize) {
    if (buffer != null) {
      highWater = Math.max(highWater, buffer.position());
      buffer.position(newSize);
    }
  }

  /** Returns the buffer to the pool if it holds no data. */
  public void releaseIfEmpty() {
    if (buffer != null && buffer.position() == 0) {
      // Every byte that was ever in the buffer passed through beginRead() (which saw it) or is
      // below the current position; compact() moves data only towards the start.
      pool.release(buffer, plaintext ? highWater : 0);
      buffer = null;
    }
  }

  /**
   * Returns the buffer to the pool whatever it holds (on close or failure, where an interrupted
   * wrap may have left plaintext behind): zeroes all of it.
   */
  public void release() {
    if (buffer != null) {
      pool.release(buffer, true);
      buffer = null;
    }
  }

  /**
   * Flips to read mode for the caller to take bytes from, until {@link #endRead()} compacts it back
   * to write mode: the caller sees the data [0, position) and whatever it leaves unread stays. Null
   * if no buffer is held.
   */
  public ByteBuffer beginRead() {
    if (buffer == null) {
      return null;
    }
    buffer.flip();
    highWater = Math.max(highWater, buffer.limit());
    return buffer;
  }

  /** Back to write mode after {@link #beginRead()}, keeping what was not read. */
  public void endRead() {
    if (buffer != null) {
      buffer.compact();
    }
  }

  /** A read-mode view of the data, for looking without taking; empty if no buffer is held. */
  public ByteBuffer view() {
    return buffer == null ? EMPTY : buffer.duplicate().flip();
  }

  @Override
  public String toString() {
    return name + "=" + (buffer == null ? "-" : Integer.toString(buffer.position()));
  }
}
