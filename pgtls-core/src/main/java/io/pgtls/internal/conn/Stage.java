package io.pgtls.internal.conn;

import java.io.IOException;
import java.nio.channels.SelectionKey;

/**
 * One phase of a connection's life: the states it serves, what it reads and when it gives up.
 * The driver ({@link ProxyConnection}) owns the state and passes it in; a stage keeps only what
 * its phase needs, so its fields die with it. A stage never calls the driver or another stage:
 * each step returns an {@link Outcome}.
 */
interface Stage {
  /** No deadline applies. */
  long NO_DEADLINE = Long.MAX_VALUE;

  /** The driver has just moved to {@code state}, one this stage serves, at {@code nowNanos}. */
  void enter(ConnectionState state, long nowNanos);

  /** Makes all the progress {@code state} allows now. */
  Outcome step(ConnectionState state) throws IOException;

  /** Whether {@code state} wants to read from {@code leg} now. */
  boolean wantsInput(ConnectionState state, Leg leg);

  /** Whether plaintext waits for {@code leg} outside its own buffers (a plaintext leg writes straight from the relay buffer). */
  default boolean hasOutputFor(Leg leg) {
    return false;
  }

  /** Whether {@code leg}'s connect is in progress (OP_CONNECT). */
  default boolean awaitsConnect(ConnectionState state, Leg leg) {
    return false;
  }

  /**
   * The selector interest for {@code leg} in {@code state}: OP_CONNECT while connecting; OP_WRITE
   * while bytes wait for its socket; OP_READ while the state wants its input and more can come;
   * nothing while its delegated tasks run.
   */
  default int interestOps(ConnectionState state, Leg leg) {
    if (!leg.isRegistered() || leg.taskRunning()) {
      return 0;
    }
    if (awaitsConnect(state, leg)) {
      return SelectionKey.OP_CONNECT;
    }
    int ops = leg.hasPendingOutput() || hasOutputFor(leg) ? SelectionKey.OP_WRITE : 0;
    if (!leg.inputEnded() && wantsInput(state, leg)) {
      ops |= SelectionKey.OP_READ;
    }
    return ops;
  }

  /** When (System.nanoTime) the stage gives up waiting, or {@link #NO_DEADLINE}. */
  long deadline();

  /** The deadline passed in {@code state}. */
  Outcome onDeadline(ConnectionState state) throws IOException;
}
