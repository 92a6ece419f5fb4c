package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.PooledBuffer;
import java.io.IOException;

/**
 * FORWARDING_CANCEL: sends the client's CancelRequest, unchanged, over the backend leg (inside
 * TLS when the route's backend leg is TLS, so the key never travels in cleartext). The client's
 * socket is already closed: libpq and pgjdbc wait for EOF and must not wait on a slow backend.
 * The backend checks the key and answers nothing.
 */
final class ForwardCancel implements Stage {
  private final Leg backend;
  private final PooledBuffer cancelPacket;

  ForwardCancel(Leg backend, PooledBuffer cancelPacket) {
    this.backend = backend;
    this.cancelPacket = cancelPacket;
  }

  @Override
  public void enter(ConnectionState state, long nowNanos) {
    // no deadline of its own: a backend that does not take 16 bytes is cut off by CLOSING's linger
  }

  @Override
  public Outcome step(ConnectionState state) throws IOException {
    Leg.Progress p = backend.drain(cancelPacket);
    if (p == Leg.Progress.NEEDS_TASK) {
      return Outcome.runTasks(backend);
    }
    return p == Leg.Progress.DONE ? Outcome.closeGracefully("cancel request forwarded") : Outcome.WAIT;
  }

  @Override
  public boolean wantsInput(ConnectionState state, Leg leg) {
    return false;
  }

  @Override
  public boolean hasOutputFor(Leg leg) {
    return leg == backend && !leg.isTls() && !cancelPacket.isEmpty();
  }

  @Override
  public long deadline() {
    return NO_DEADLINE;
  }

  @Override
  public Outcome onDeadline(ConnectionState state) {
    return Outcome.WAIT;
  }

  @Override
  public String toString() {
    return "ForwardCancel[" + cancelPacket + "]";
  }
}
