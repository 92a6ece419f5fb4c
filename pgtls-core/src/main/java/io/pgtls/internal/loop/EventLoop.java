package io.pgtls.internal.loop;

import io.pgtls.internal.buffer.BufferPool;
import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, one {@link Selector}, a task queue and a timer queue. Only this thread touches its
 * selection keys: other threads hand work in through {@link #execute(Runnable)}, which wakes the
 * selector only when it is (about to be) parked in {@code select()} — the discipline of Jetty's
 * ManagedSelector, which keeps {@code wakeup()} syscalls off the hot path.
 */
public final class EventLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

  private enum State { NEW, RUNNING, STOPPING, STOPPED }

  private final String name;
  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timeout> timers = new PriorityQueue<>();
  private final AtomicBoolean selecting = new AtomicBoolean();
  private final AtomicInteger registered = new AtomicInteger();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final BufferPool buffers;
  private volatile State state = State.NEW;
  private long timerSequence;
  private Throwable failure;
  /** True while a select is running on this thread: its action dispatches the ready keys. */
  private boolean processing;
  /**
   * The select action, made once: a bound method reference written at each select() call would
   * be a new object every round.
   */
  private final Consumer<SelectionKey> processKey = this::processKey;

  private final Consumer<Throwable> onFailure;

  EventLoop(String name, BufferPool buffers, Consumer<Throwable> onFailure) throws IOException {
    this.name = name;
    this.onFailure = onFailure;
    this.selector = Selector.open();
    this.buffers = buffers;
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
  }

  void start() {
    state = State.RUNNING;
    thread.start();
  }

  public String name() {
    return name;
  }

  /** The buffer pool owned by this loop; use it only on this loop's thread. */
  public BufferPool buffers() {
    return buffers;
  }

  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Runs {@code task} on the loop thread, after the current event if called from it. */
  public void execute(Runnable task) {
    tasks.add(task);
    if (!inLoop() && selecting.compareAndSet(true, false)) {
      selector.wakeup();
    }
  }

  /** Schedules {@code task} on this loop after {@code delayNanos}; call on the loop thread only. */
  public Timeout schedule(long delayNanos, Runnable task) {
    assertInLoop();
    Timeout t = new Timeout(System.nanoTime() + delayNanos, timerSequence++, task);
    timers.add(t);
    return t;
  }

  /** Registers {@code channel} with this loop's selector; call on the loop thread only. */
  public SelectionKey register(SelectableChannel channel, int ops, Selectable handler)
      throws ClosedChannelException {
    assertInLoop();
    registered.incrementAndGet();
    return channel.register(selector, ops, handler);
  }

  /**
   * Makes the selector deregister cancelled keys now. JDK quirk: closing a channel that is
   * registered with a selector only closes the socket once its key is deregistered, which
   * happens during the next select; a listening socket closed on a quiet loop would otherwise keep
   * accepting connections in the kernel. Loop thread only.
   */
  public void deregisterCancelledKeys() throws IOException {
    assertInLoop();
    if (!processing) { // inside a select the keys go at its end anyway; a nested select may not run
      selector.selectNow(processKey); // ready keys found here are handled right away
    }
  }

  public boolean isRunning() {
    return state == State.RUNNING;
  }

  /** Tells the loop a handler registered with {@link #register} is gone. */
  public void deregistered() {
    registered.decrementAndGet();
  }

  private void assertInLoop() {
    if (!inLoop()) {
      throw new IllegalStateException("called from " + Thread.currentThread().getName() + ", not loop " + name);
    }
  }

  @Override
  public void run() {
    try {
      while (state == State.RUNNING) {
        long timeoutMillis = runTimersAndComputeWait();
        selecting.set(true);
        processing = true;
        // Selector.select(Consumer) hands each ready key straight to the action: no selected-key
        // HashSet to fill, iterate and clear (an allocated node per ready key per round).
        if (!tasks.isEmpty()) {
          selecting.set(false);
          selector.selectNow(processKey);
        } else if (timeoutMillis < 0) {
          selector.select(processKey);
        } else {
          selector.select(processKey, Math.max(1, timeoutMillis));
        }
        processing = false;
        selecting.set(false);
        runTasks();
      }
    } catch (Throwable t) {
      log.error("{}: selector loop failed; closing its connections", name, t);
      failure = t;
    } finally {
      processing = false;
      shutdownHandlers();
      stopped.countDown();
      if (failure != null) {
        onFailure.accept(failure);
      }
    }
  }

  private void processKey(SelectionKey key) {
    int ready;
    try {
      ready = key.readyOps();
    } catch (CancelledKeyException e) {
      return; // closed by an earlier handler in this round
    }
    dispatch((Selectable) key.attachment(), ready);
  }

  private void dispatch(Selectable handler, int ready) {
    try {
      handler.onReady(ready);
    } catch (Throwable t) {
      try {
        handler.onFailure(t);
      } catch (Throwable t2) {
        t.addSuppressed(t2);
        log.error("{}: handler {} failed while failing", name, handler, t);
      }
    }
  }

  private void runTasks() {
    // Bounded: tasks queued while running wait for the next round, so I/O is never starved.
    int n = tasks.size();
    for (int i = 0; i < n; i++) {
      Runnable r = tasks.poll();
      if (r == null) {
        break;
      }
      try {
        r.run();
      } catch (Throwable t) {
        log.error("{}: task {} failed", name, r, t);
      }
    }
  }

  private long runTimersAndComputeWait() {
    long now = System.nanoTime();
    while (true) {
      Timeout t = timers.peek();
      if (t == null) {
        return -1;
      }
      if (t.cancelled()) {
        timers.poll();
        continue;
      }
      long wait = t.deadlineNanos() - now;
      if (wait > 0) {
        return TimeUnit.NANOSECONDS.toMillis(wait) + 1;
      }
      timers.poll();
      try {
        t.run();
      } catch (Throwable e) {
        log.error("{}: timer task failed", name, e);
      }
    }
  }

  private void shutdownHandlers() {
    runTasks();
    List<Selectable> handlers = new ArrayList<>();
    try {
      for (SelectionKey key : selector.keys()) {
        if (key.attachment() instanceof Selectable && !handlers.contains(key.attachment())) {
          handlers.add((Selectable) key.attachment());
        }
      }
    } catch (Throwable t) {
      log.debug("{}: reading keys at shutdown failed", name, t);
    }
    for (Selectable h : handlers) {
      try {
        h.onLoopShutdown();
      } catch (Throwable t) {
        log.warn("{}: {} failed to close at shutdown", name, h, t);
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      log.debug("{}: closing selector failed", name, e);
    }
    state = State.STOPPED;
  }

  /** Asks the loop to stop: every registered handler gets {@link Selectable#onLoopShutdown()}. */
  void stop() {
    if (state == State.RUNNING) {
      state = State.STOPPING;
      selector.wakeup();
    }
  }

  /** Waits until the loop has closed its handlers and its thread has ended. */
  boolean awaitStopped(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    if (!stopped.await(millis, TimeUnit.MILLISECONDS)) {
      return false;
    }
    if (Thread.currentThread() != thread) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    return !thread.isAlive() || Thread.currentThread() == thread;
  }

  @Override
  public String toString() {
    return "EventLoop[" + name + " " + state + " registered=" + registered.get() + " tasks=" + tasks.size()
        + " timers=" + timers.size() + "]";
  }
}
