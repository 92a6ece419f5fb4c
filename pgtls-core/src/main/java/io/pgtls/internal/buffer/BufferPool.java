package io.pgtls.internal.buffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Fixed-size direct buffers for one selector loop (not thread-safe: only the loop's thread borrows
 * and returns). Every buffer is large enough for one whole TLS record in either form, so a single
 * size class serves ciphertext and plaintext alike. Plaintext buffers are zeroed when returned, so
 * decrypted query text does not linger in idle memory. {@link #outstanding()} lets tests prove that
 * every borrowed buffer came back.
 *
 * <p>Direct, because sockets read into and write from them: NIO copies every heap buffer through a
 * temporary direct one of its own (sun.nio.ch.IOUtil) on each read and write, two copies per
 * record relayed. An idle connection holds none of them (see {@link PooledBuffer}), and the pool
 * keeps at most {@value #MAX_RETAINED} for reuse, so their native memory stays bounded by the
 * connections that are moving data.
 */
public final class BufferPool {
  /** Large enough for one TLS record, ciphertext (packet) or plaintext (application) size. */
  public static final int BUFFER_SIZE = computeBufferSize();

  private static final int MAX_RETAINED = 64;
  private static final byte[] ZEROS = new byte[BUFFER_SIZE];

  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
  private final AtomicLong outstanding = new AtomicLong();

  private static int computeBufferSize() {
    try {
      SSLEngine engine = SSLContext.getDefault().createSSLEngine();
      int size = Math.max(engine.getSession().getPacketBufferSize(), engine.getSession().getApplicationBufferSize());
      return (size + 1023) & ~1023; // round up to whole KiB
    } catch (Exception e) {
      return 17 * 1024; // 16 KiB record + header, MAC and padding
    }
  }

  /** A cleared buffer of {@link #BUFFER_SIZE} bytes, in write mode. */
  public ByteBuffer borrow() {
    ByteBuffer b = free.pollFirst();
    if (b == null) {
      b = ByteBuffer.allocateDirect(BUFFER_SIZE);
    }
    outstanding.incrementAndGet();
    return b;
  }

  /** Takes {@code buffer} back; when it held plaintext, its bytes are zeroed first. */
  public void release(ByteBuffer buffer, boolean plaintext) {
    release(buffer, plaintext ? buffer.capacity() : 0);
  }

  /**
   * Takes {@code buffer} back after zeroing its first {@code dirtyBytes} bytes: the part that may
   * hold plaintext. Zeroing only what was used keeps a 17 KiB memset off every small query.
   */
  public void release(ByteBuffer buffer, int dirtyBytes) {
    if (dirtyBytes > 0) {
      buffer.put(0, ZEROS, 0, Math.min(dirtyBytes, buffer.capacity()));
    }
    buffer.clear();
    outstanding.decrementAndGet();
    if (buffer.capacity() == BUFFER_SIZE && free.size() < MAX_RETAINED) {
      free.addFirst(buffer);
    }
  }

  /** Buffers borrowed and not yet returned. */
  public long outstanding() {
    return outstanding.get();
  }

  /** Buffers kept for reuse. */
  public int retained() {
    return free.size();
  }
}
