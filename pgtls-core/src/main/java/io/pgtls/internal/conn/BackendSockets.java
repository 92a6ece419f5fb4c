package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.LoopGroup;
import io.pgtls.internal.loop.Selectable;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Opens backend legs for {@link BackendOpening}: a non-blocking socket (TCP with TCP_NODELAY and
 * keep-alive, or a Unix-domain socket), connecting, registered on the connection's loop for
 * OP_CONNECT.
 */
final class BackendSockets implements BackendOpening.Connector {
  private final EventLoop loop;
  private final LoopGroup group;
  private final BufferPool pool;
  private final Function<Leg, Selectable> handlers;
  private final Consumer<Leg> backendChanged;

  /**
   * @param handlers makes the selection key's attachment for a leg
   * @param backendChanged told of the connection's backend leg each time it changes (null once discarded)
   */
  BackendSockets(EventLoop loop, LoopGroup group, BufferPool pool, Function<Leg, Selectable> handlers,
      Consumer<Leg> backendChanged) {
    this.loop = loop;
    this.group = group;
    this.pool = pool;
    this.handlers = handlers;
    this.backendChanged = backendChanged;
  }

  @Override
  public Leg open(SocketAddress target) throws IOException {
    boolean unix = target instanceof UnixDomainSocketAddress;
    SocketChannel ch = unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
    try {
      ch.configureBlocking(false);
      if (!unix) {
        // A UNIX channel supports neither: the JDK's setOption throws UnsupportedOperationException
        // for TCP_NODELAY and SO_KEEPALIVE there (supportedOptions() lists only the buffer sizes and
        // SO_LINGER), and a local socket has no Nagle delay or dead peer to detect anyway.
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      }
      Leg leg = new Leg("backend", new SocketTransport(ch, group.wrap(ch)), pool);
      ch.connect(target);
      leg.register(loop, SelectionKey.OP_CONNECT, handlers.apply(leg));
      backendChanged.accept(leg);
      return leg;
    } catch (IOException | RuntimeException e) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw e;
    }
  }

  @Override
  public void discard(Leg leg) {
    leg.close(loop);
    backendChanged.accept(null);
  }
}
