package io.pgtls.internal.conn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;

/**
 * Two {@link Transport}s joined in memory, for driving stages without sockets. Each read and
 * write moves at most {@code chunk} bytes, so a 1-byte pipe makes every partial-packet and
 * partial-record path run (tls-channel's ChunkingByteChannel habit).
 */
final class MemoryPipe {
  private final End a;
  private final End b;

  MemoryPipe(int chunk) {
    ByteBuffer aToB = ByteBuffer.allocate(1 << 20).flip();
    ByteBuffer bToA = ByteBuffer.allocate(1 << 20).flip();
    a = new End(bToA, aToB, chunk);
    b = new End(aToB, bToA, chunk);
    a.peer = b;
    b.peer = a;
  }

  /** Bytes moved through the pipe so far, both ways, reads and writes: grows while anything moves. */
  long moved() {
    return a.written + a.read + b.written + b.read;
  }

  /** The end the stage under test reads and writes. */
  End near() {
    return a;
  }

  /** The end the test's peer reads and writes. */
  End far() {
    return b;
  }

  static final class End implements Transport {
    /** Both queues are kept in read mode between calls. */
    private final ByteBuffer in;
    private final ByteBuffer out;
    private final int chunk;
    private End peer;
    private boolean outputShut;
    private boolean open = true;
    private long written;
    private long read;

    End(ByteBuffer in, ByteBuffer out, int chunk) {
      this.in = in;
      this.out = out;
      this.chunk = chunk;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (!open) {
        throw new ClosedChannelException();
      }
      if (!in.hasRemaining()) {
        return peer.outputShut || !peer.open ? -1 : 0;
      }
      int n = Math.min(Math.min(chunk, in.remaining()), dst.remaining());
      ByteBuffer slice = in.duplicate();
      slice.limit(in.position() + n);
      dst.put(slice);
      in.position(in.position() + n);
      read += n;
      return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (!open || outputShut) {
        throw new ClosedChannelException();
      }
      int n = Math.min(chunk, src.remaining());
      out.compact();
      ByteBuffer slice = src.duplicate();
      slice.limit(src.position() + n);
      out.put(slice);
      out.flip();
      src.position(src.position() + n);
      written += n;
      return n;
    }

    /** Every byte this end has written so far. */
    long written() {
      return written;
    }

    /** Whether bytes written by the peer wait to be read here. */
    boolean hasUnread() {
      return in.hasRemaining();
    }

    @Override
    public void shutdownOutput() {
      outputShut = true;
    }

    @Override
    public boolean finishConnect() {
      return true;
    }

    @Override
    public SelectableChannel selectable() {
      return null;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public void close() {
      open = false;
    }
  }
}
