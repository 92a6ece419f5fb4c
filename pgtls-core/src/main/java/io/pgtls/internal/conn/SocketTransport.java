package io.pgtls.internal.conn;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;

/** A {@link Transport} over a socket; reads and writes go through {@code io}, a test wrapper or the socket itself. */
final class SocketTransport implements Transport {
  private final SocketChannel socket;
  private final ByteChannel io;

  SocketTransport(SocketChannel socket, ByteChannel io) {
    this.socket = socket;
    this.io = io;
  }

  /** The peer's address, or null when the socket cannot tell (already reset). */
  static SocketAddress remoteAddress(SocketChannel socket) {
    try {
      return socket.getRemoteAddress();
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return io.read(dst);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return io.write(src);
  }

  @Override
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  @Override
  public boolean finishConnect() throws IOException {
    return socket.finishConnect();
  }

  @Override
  public SelectableChannel selectable() {
    return socket;
  }

  @Override
  public boolean isOpen() {
    return socket.isOpen();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
