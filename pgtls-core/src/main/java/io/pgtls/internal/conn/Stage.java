package io.pgtls.internal.conn;

import java.io.IOException;

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

  /** When (System.nanoTime) the stage gives up waiting, or {@link #NO_DEADLINE}. */
  long deadline();

  /** The deadline passed in {@code state}. */
  Outcome onDeadline(ConnectionState state) throws IOException;
}
