package io.pgtls.internal.loop;

/** A task scheduled on one {@link EventLoop}; cancel it on the same loop thread. */
public final class Timeout implements Comparable<Timeout> {
  private final long deadlineNanos;
  private final long sequence;
  private final Runnable task;
  private boolean cancelled;

  Timeout(long deadlineNanos, long sequence, Runnable task) {
    this.deadlineNanos = deadlineNanos;
    this.sequence = sequence;
    this.task = task;
  }

  public void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  void run() {
    task.run();
  }

  @Override
  public int compareTo(Timeout o) {
    int c = Long.compare(deadlineNanos - o.deadlineNanos, 0);
    return c != 0 ? c : Long.compare(sequence, o.sequence);
  }
}
