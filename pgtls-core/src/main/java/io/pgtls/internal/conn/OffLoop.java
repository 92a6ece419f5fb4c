package io.pgtls.internal.conn;

import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.LoopGroup;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.RejectedExecutionException;

/**
 * What a connection must never do on its loop thread, done on the group's workers: SSLEngine
 * delegated tasks (certificate checks, key exchange) and DNS. The result comes back as a task on
 * the connection's own loop.
 */
final class OffLoop {
  /** A DNS answer, delivered on the loop. */
  interface Resolved {
    void accept(InetAddress[] addresses, UnknownHostException error);
  }

  private final LoopGroup group;
  private final EventLoop loop;

  OffLoop(LoopGroup group, EventLoop loop) {
    this.group = group;
    this.loop = loop;
  }

  /**
   * Runs {@code leg}'s delegated tasks on a worker; on the loop, marks the leg idle again and runs
   * {@code resume}. False when the workers are shut down.
   */
  boolean runTasks(Leg leg, Runnable resume) {
    Runnable tasks = leg.beginTasks();
    try {
      group.workers().execute(() -> {
        try {
          tasks.run();
        } finally {
          loop.execute(() -> {
            leg.tasksDone();
            resume.run();
          });
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Resolves {@code host} on a worker and hands the answer to {@code onLoop} on the loop. False when shut down. */
  boolean resolve(String host, Resolved onLoop) {
    try {
      group.workers().execute(() -> {
        InetAddress[] addresses = null;
        UnknownHostException error = null;
        try {
          addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
          error = e;
        }
        InetAddress[] a = addresses;
        UnknownHostException err = error;
        loop.execute(() -> onLoop.accept(a, err));
      });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }
}
