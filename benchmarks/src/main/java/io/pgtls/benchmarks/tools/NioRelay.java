package io.pgtls.benchmarks.tools;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * The Java floor of {@code benchmarks/run.sh} (path {@code java-relay}): a bare TCP relay on one
 * NIO selector thread, copying bytes both ways and doing no TLS work, run with pgtls's JVM options.
 * Beside HAProxy's C relay it shows what the JVM and NIO themselves cost per transaction.
 *
 * <pre>
 * NioRelay listen-host:port backend-host:port
 * </pre>
 *
 * <p>One direct buffer per direction per connection, 16 KiB (HAProxy's default {@code bufsize});
 * nothing is allocated per event. End of input on one side shuts down output on the other once
 * the buffered bytes are written; the pair closes when both directions have ended, or on any error.
 */
public final class NioRelay {
  private static final int BUFFER = 16 * 1024;

  /** One direction: bytes read from one channel wait here (in fill mode) to be written to the other. */
  private static final class Pipe {
    final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    boolean ended; // the reading side has reached end of input
    boolean shut; // ... and the writing side's output is shut down after the last byte
  }

  /** One relayed connection, attached to both of its keys. */
  private static final class Pair {
    SelectionKey client;
    SelectionKey backend;
    final Pipe up = new Pipe(); // client -> backend
    final Pipe down = new Pipe(); // backend -> client
  }

  private final Selector selector;
  private final ServerSocketChannel listener;
  private final InetSocketAddress backend;

  private NioRelay(InetSocketAddress listen, InetSocketAddress backend) throws IOException {
    this.selector = Selector.open();
    this.listener = ServerSocketChannel.open();
    this.backend = backend;
    listener.bind(listen, 1024);
    listener.configureBlocking(false);
    listener.register(selector, SelectionKey.OP_ACCEPT); // no attachment: the listener
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: NioRelay listen-host:port backend-host:port");
      System.exit(2);
    }
    NioRelay relay = new NioRelay(address(args[0]), address(args[1]));
    System.out.println("relaying " + args[0] + " -> " + args[1]);
    Consumer<SelectionKey> handler = relay::handle; // one instance, not one per select
    while (true) {
      relay.selector.select(handler);
    }
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private void handle(SelectionKey key) {
    Pair pair = (Pair) key.attachment();
    if (pair == null) {
      accept();
      return;
    }
    try {
      SocketChannel channel = (SocketChannel) key.channel();
      boolean isClient = key == pair.client;
      if (key.isConnectable()) {
        channel.finishConnect();
      }
      if (key.isReadable()) {
        Pipe in = isClient ? pair.up : pair.down;
        if (channel.read(in.buffer) < 0) {
          in.ended = true;
        }
        flush(in, isClient ? pair.backend : pair.client); // at once: usually no OP_WRITE needed
      }
      if (key.isWritable()) {
        flush(isClient ? pair.down : pair.up, key);
      }
      if (pair.up.shut && pair.down.shut) {
        close(pair);
      } else {
        interests(pair);
      }
    } catch (IOException | RuntimeException e) {
      close(pair);
    }
  }

  private void accept() {
    SocketChannel client;
    try {
      while ((client = listener.accept()) != null) {
        SocketChannel server = SocketChannel.open();
        try {
          client.configureBlocking(false);
          client.setOption(StandardSocketOptions.TCP_NODELAY, true);
          server.configureBlocking(false);
          server.setOption(StandardSocketOptions.TCP_NODELAY, true);
          boolean connected = server.connect(backend);
          Pair pair = new Pair();
          pair.client = client.register(selector, SelectionKey.OP_READ, pair);
          pair.backend = server.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, pair);
        } catch (IOException e) {
          client.close();
          server.close();
        }
      }
    } catch (IOException e) {
      System.err.println("accept: " + e);
    }
  }

  /** Writes what {@code pipe} holds to {@code to}'s channel; after the last byte, passes end of input on. */
  private static void flush(Pipe pipe, SelectionKey to) throws IOException {
    SocketChannel channel = (SocketChannel) to.channel();
    if (!channel.isConnected()) {
      return; // the backend's connect has not finished: OP_CONNECT, then OP_WRITE
    }
    if (pipe.buffer.position() > 0) {
      pipe.buffer.flip();
      channel.write(pipe.buffer);
      pipe.buffer.compact();
    }
    if (pipe.ended && pipe.buffer.position() == 0 && !pipe.shut) {
      channel.shutdownOutput();
      pipe.shut = true;
    }
  }

  /** Read while the pipe out of a channel has room and input; write while the pipe into it holds bytes. */
  private static void interests(Pair pair) {
    SocketChannel server = (SocketChannel) pair.backend.channel();
    pair.client.interestOps(ops(pair.up, pair.down));
    pair.backend.interestOps(server.isConnectionPending() ? SelectionKey.OP_CONNECT : ops(pair.down, pair.up));
  }

  private static int ops(Pipe out, Pipe in) {
    int ops = !out.ended && out.buffer.hasRemaining() ? SelectionKey.OP_READ : 0;
    return ops | (in.buffer.position() > 0 || (in.ended && !in.shut) ? SelectionKey.OP_WRITE : 0);
  }

  private static void close(Pair pair) {
    try {
      pair.client.channel().close(); // cancels its key
    } catch (IOException ignored) {
      // closing anyway
    }
    try {
      pair.backend.channel().close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
