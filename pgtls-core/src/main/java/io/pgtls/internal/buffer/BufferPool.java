package io.pgtls.internal.buffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Fixed-size buffers for one selector loop (not thread-safe: only the loop's thread borrows and
 * returns), of two kinds: direct and heap. Every buffer is large enough for one whole TLS record in either form, so a single
 * size class serves ciphertext and plaintext alike. Plaintext buffers are zeroed when returned, so
 * decrypted query text does not linger in idle memory. {@link #outstanding()} lets tests prove that
 * every borrowed buffer came back.
 *
 * <p>Which kind a buffer is follows what touches it (see {@link PooledBuffer#prefer}): a socket
 * reads into and writes from a direct buffer as it is, while NIO copies a heap buffer through a
 * temporary direct one of its own (sun.nio.ch.IOUtil) on each read and write; a native TLS engine
 * (BoringSSL) works on direct buffers and copies heap ones; but the JDK's engine with a provider
 * that works on arrays (the Amazon Corretto Crypto Provider) copies direct buffers into arrays
 * (javax.crypto.CipherSpi.bufferCrypt), which measured a few per cent more CPU per transaction
 * than NIO's copies. An idle connection holds no buffer (see {@link PooledBuffer}), and the pool
 * keeps at most {@value #MAX_RETAINED} of each kind for reuse, so their native memory stays
 * bounded by the connections that are moving data.
 */
public final class BufferPool {
  /** Large enough for one TLS record, ciphertext (packet) or plaintext (application) size. */
  public static final int BUFFER_SIZE = computeBufferSize();

  private static final int MAX_RETAINED = 64;
  private static final byte[] ZEROS = new byte[BUFFER_SIZE];

  private final ArrayDeque<ByteBuffer> freeDirect = new ArrayDeque<>();
  private final ArrayDeque<ByteBuffer> freeHeap = new ArrayDeque<>();
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

  /** A cleared direct buffer of {@link #BUFFER_SIZE} bytes, in write mode. */
  public ByteBuffer borrow() {
    return borrow(true);
  }

  /** A cleared buffer of {@link #BUFFER_SIZE} bytes, direct or on the heap, in write mode. */
  public ByteBuffer borrow(boolean direct) {
    ByteBuffer b = (direct ? freeDirect : freeHeap).pollFirst();
    if (b == null) {
      b = direct ? ByteBuffer.allocateDirect(BUFFER_SIZE) : ByteBuffer.allocate(BUFFER_SIZE);
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
    ArrayDeque<ByteBuffer> free = buffer.isDirect() ? freeDirect : freeHeap;
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
    return freeDirect.size() + freeHeap.size();
  }
}
