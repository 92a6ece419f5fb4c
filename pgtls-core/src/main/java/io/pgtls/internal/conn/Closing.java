package io.pgtls.internal.conn;

import java.io.IOException;
import java.time.Duration;

/**
 * CLOSING: flushes what is owed to each leg (a final ErrorResponse, close_notify), sends FIN, and
 * waits briefly for each peer's EOF, discarding what it still sends, before the driver closes the
 * sockets.
 */
final class Closing implements Stage {
  /** How long a closing connection waits for its peers' EOF after sending everything. */
  private static final Duration LINGER = Duration.ofSeconds(2);

  private final Leg[] legs;
  private final String reason;
  private long deadline = NO_DEADLINE;

  /** @param legs the legs still open (the backend may be absent) */
  Closing(String reason, Leg... legs) {
    this.reason = reason;
    this.legs = legs;
  }

  @Override
  public void enter(ConnectionState state, long nowNanos) {
    deadline = nowNanos + LINGER.toNanos();
  }

  @Override
  public Outcome step(ConnectionState state) throws IOException {
    boolean done = true;
    for (Leg leg : legs) {
      if (!leg.isOpen()) {
        continue;
      }
      if (!leg.finishShutdown()) {
        done = false;
        continue;
      }
      if (!leg.discardUntilEof()) {
        done = false;
      }
    }
    return done ? Outcome.closeNow(reason) : Outcome.WAIT;
  }

  @Override
  public boolean wantsInput(ConnectionState state, Leg leg) {
    return true;
  }

  @Override
  public long deadline() {
    return deadline;
  }

  @Override
  public Outcome onDeadline(ConnectionState state) {
    return Outcome.closeNow(reason);
  }

  @Override
  public String toString() {
    return "Closing[" + reason + "]";
  }
}
