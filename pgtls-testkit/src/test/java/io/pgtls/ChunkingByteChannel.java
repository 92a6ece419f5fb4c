package io.pgtls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A socket seen through a keyhole: every read and write moves at most a few bytes (like
 * tls-channel's ChunkingByteChannel), so each TLS record arrives in pieces and every partial-read
 * and partial-write path of the proxy runs.
 */
final class ChunkingByteChannel implements ByteChannel {
  private final ByteChannel delegate;
  private final int maxChunk;

  ChunkingByteChannel(ByteChannel delegate, int maxChunk) {
    this.delegate = delegate;
    this.maxChunk = maxChunk;
  }

  private int chunk() {
    return 1 + ThreadLocalRandom.current().nextInt(maxChunk);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int limit = dst.limit();
    dst.limit(Math.min(limit, dst.position() + chunk()));
    try {
      return delegate.read(dst);
    } finally {
      dst.limit(limit);
    }
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int limit = src.limit();
    src.limit(Math.min(limit, src.position() + chunk()));
    try {
      return delegate.write(src);
    } finally {
      src.limit(limit);
    }
  }

  @Override
  public boolean isOpen() {
    return delegate.isOpen();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
