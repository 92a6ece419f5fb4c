package io.pgtls.internal.conn;

import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.LoopGroup;
import io.pgtls.internal.loop.Selectable;
import io.pgtls.HostPort;
import io.pgtls.internal.route.BackendProbe;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener's socket. It accepts on its own loop and hands each new connection, with the
 * listener's route, to the next loop of the group, where the connection stays for its whole life.
 */
public final class Acceptor implements Selectable {
  private static final Logger log = LoggerFactory.getLogger(Acceptor.class);
  /** Connections accepted per wake-up before other work on the loop gets a turn. */
  private static final int ACCEPTS_PER_EVENT = 64;
  /** Pause after an accept error such as EMFILE, so a full fd table does not spin the loop. */
  private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final String proxyName;
  /** What new connections are handed: swapped by a reconfiguration, read once per accepted socket. */
  private volatile CompiledListener listener;
  /** How log lines name this listener: its route when it has one, else its address. */
  private final String who;
  private final LoopGroup group;
  private final EventLoop loop;
  private final ServerSocketChannel server;
  private final InetSocketAddress bound;
  private SelectionKey key;
  private volatile boolean closed;

  private Acceptor(String proxyName, CompiledListener listener, LoopGroup group, EventLoop loop,
      ServerSocketChannel server) throws IOException {
    this.proxyName = proxyName;
    this.listener = listener;
    this.who = listener.soleRoute().map(r -> "route '" + r.name() + "'").orElse("listener " + listener.address());
    this.group = group;
    this.loop = loop;
    this.server = server;
    this.bound = (InetSocketAddress) server.getLocalAddress();
  }

  /** Binds the listener now (so bind errors surface to the caller) and starts accepting. */
  public static Acceptor bind(String proxyName, CompiledListener listener, LoopGroup group, EventLoop loop)
      throws IOException {
    HostPort listen = listener.address();
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.configureBlocking(false);
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
      if (address.isUnresolved()) {
        throw new IOException("cannot resolve listen host '" + listen.host() + "'");
      }
      server.bind(address, 1024);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    Acceptor a = new Acceptor(proxyName, listener, group, loop, server);
    loop.execute(a::register);
    for (CompiledRoute route : listener.routes()) {
      BackendProbe.checkChannelBinding(proxyName, route, group.workers());
    }
    return a;
  }

  private void register() {
    if (closed) {
      return;
    }
    try {
      key = loop.register(server, SelectionKey.OP_ACCEPT, this);
    } catch (IOException e) {
      log.error("pgtls[{}] {}: cannot register listener: {}", proxyName, who, e.toString());
    }
  }

  public InetSocketAddress boundAddress() {
    return bound;
  }

  @Override
  public void onReady(int readyOps) {
    for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        // EMFILE/ENFILE and friends: keep the listener, back off, try again.
        log.warn("pgtls[{}] {}: accept failed: {}; pausing accepts for {} ms", proxyName, who,
            e.toString(), TimeUnit.NANOSECONDS.toMillis(ACCEPT_BACKOFF_NANOS));
        key.interestOps(0);
        loop.schedule(ACCEPT_BACKOFF_NANOS, () -> {
          if (!closed && key.isValid()) {
            key.interestOps(SelectionKey.OP_ACCEPT);
          }
        });
        return;
      }
      if (ch == null) {
        return;
      }
      try {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
      } catch (IOException e) {
        log.debug("pgtls[{}] {}: accepted socket unusable: {}", proxyName, who, e.toString());
        try {
          ch.close();
        } catch (IOException ignored) {
          // already broken
        }
        continue;
      }
      EventLoop target = group.next();
      CompiledListener current = listener;
      if (target == loop) {
        ProxyConnection.open(proxyName, current, target, group, ch);
      } else {
        target.execute(() -> ProxyConnection.open(proxyName, current, target, group, ch));
      }
    }
  }

  @Override
  public void onFailure(Throwable cause) {
    log.error("pgtls[{}] {}: listener failed", proxyName, who, cause);
  }

  /**
   * From now on new connections take {@code next}'s routes (a reconfiguration that keeps this
   * address): the socket stays open, so no client is refused while it happens.
   */
  public void serve(CompiledListener next) {
    this.listener = next;
  }

  @Override
  public void onLoopShutdown() {
    close();
  }

  /**
   * Stops accepting; connections already accepted carry on until the loops stop. Returns once the
   * listening socket is closed (new clients get "connection refused").
   */
  public void close() {
    closed = true;
    if (loop.inLoop() || !loop.isRunning()) {
      closeOnLoop();
      return;
    }
    CountDownLatch done = new CountDownLatch(1);
    loop.execute(() -> {
      try {
        closeOnLoop();
      } finally {
        done.countDown();
      }
    });
    try {
      if (!done.await(5, TimeUnit.SECONDS)) {
        log.warn("pgtls[{}] {}: listener did not close within 5 s", proxyName, who);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeOnLoop() {
    try {
      if (key != null) {
        key.cancel();
      }
      server.close();
      if (loop.inLoop()) {
        loop.deregisterCancelledKeys();
      }
    } catch (IOException e) {
      log.debug("pgtls[{}] {}: closing listener: {}", proxyName, who, e.toString());
    }
  }

  @Override
  public String toString() {
    return "Acceptor[" + who + " " + HostPort.format(bound) + (closed ? " closed" : "") + "]";
  }
}
