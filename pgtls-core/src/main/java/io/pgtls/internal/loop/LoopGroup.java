package io.pgtls.internal.loop;

import io.pgtls.internal.buffer.BufferPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's selector loops, plus a small worker pool for what must never run on a loop: DNS
 * resolution and SSLEngine delegated tasks (certificate checks, key exchange). Connections are
 * spread over the loops round robin and stay pinned to one.
 */
public final class LoopGroup {
  private static final Logger log = LoggerFactory.getLogger(LoopGroup.class);

  private final String name;
  private final EventLoop[] loops;
  private final ThreadPoolExecutor workers;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong connectionIds = new AtomicLong();
  private final UnaryOperator<ByteChannel> channelWrapper;

  public LoopGroup(String name, int count) {
    this(name, count, UnaryOperator.identity(), t -> { });
  }

  /**
   * @param channelWrapper what each connection's reads and writes go through; the identity in
   *     production, a wrapper that moves bytes in tiny chunks in tests
   * @param onLoopFailure called (on the dying loop's thread) when a selector loop fails
   */
  public LoopGroup(String name, int count, UnaryOperator<ByteChannel> channelWrapper, Consumer<Throwable> onLoopFailure) {
    this.name = name;
    this.channelWrapper = channelWrapper;
    this.loops = new EventLoop[count];
    try {
      for (int i = 0; i < count; i++) {
        loops[i] = new EventLoop("pgtls-" + name + "-loop-" + i, new BufferPool(), onLoopFailure);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
    AtomicInteger workerIds = new AtomicInteger();
    int maxWorkers = Math.max(2, count * 2);
    this.workers = new ThreadPoolExecutor(maxWorkers, maxWorkers, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "pgtls-" + name + "-worker-" + workerIds.getAndIncrement());
          t.setDaemon(true);
          return t;
        });
    this.workers.allowCoreThreadTimeOut(true);
    for (EventLoop l : loops) {
      l.start();
    }
  }

  public EventLoop loop(int index) {
    return loops[index];
  }

  /** The loop for the next accepted connection, round robin. */
  public EventLoop next() {
    return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
  }

  /** Runs blocking work (DNS, SSLEngine delegated tasks) off the loops. */
  public ExecutorService workers() {
    return workers;
  }

  /** The channel a connection reads and writes through for {@code socket}. */
  public ByteChannel wrap(ByteChannel socket) {
    return channelWrapper.apply(socket);
  }

  public long nextConnectionId() {
    return connectionIds.incrementAndGet();
  }

  public void connectionOpened() {
    active.incrementAndGet();
  }

  public void connectionClosed() {
    active.decrementAndGet();
  }

  public int activeConnections() {
    return active.get();
  }

  /** Buffers currently lent out by all loops' pools; zero when no connection holds data. */
  public long buffersOutstanding() {
    long n = 0;
    for (EventLoop l : loops) {
      n += l.buffers().outstanding();
    }
    return n;
  }

  /** Stops every loop (closing its connections) and the workers, waiting up to {@code wait}. */
  public void shutdown(Duration wait) {
    for (EventLoop l : loops) {
      l.stop();
    }
    long deadline = System.nanoTime() + wait.toNanos();
    for (EventLoop l : loops) {
      try {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (!l.awaitStopped(Math.max(1, left))) {
          log.warn("pgtls[{}]: {} did not stop within {}", name, l.name(), wait);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    workers.shutdownNow();
  }
}
