package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.pg.BackendKeyRewrite;
import io.pgtls.internal.pg.ClientMessages;
import io.pgtls.internal.pg.IdleWatch;
import io.pgtls.internal.pg.ScramPlusWatch;
import io.pgtls.internal.route.CompiledRoute;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * RELAYING: moves a session's bytes both ways with backpressure (a side is read only once the
 * other has taken what was read from it), passes each side's end on to the other (half-close),
 * closes an idle session, gates the client's stream with the SCRAM channel-binding watch, and
 * ends a drained session ({@link #drain}) at its next idle point or at the drain's deadline.
 */
final class Relay implements Stage {
  /** How long one side may keep sending after the other has finished. */
  private static final Duration HALF_CLOSE_LINGER = Duration.ofSeconds(30);
  /** Relay rounds per event before yielding the loop to other connections. */
  private static final int BUDGET = 32;

  private final ConnectionLog log;
  private final CompiledRoute route;
  private final Leg client;
  private final Leg backend;
  /** Plaintext on its way from the client to the backend, and back. */
  private final PooledBuffer c2b;
  private final PooledBuffer b2c;
  private final Traffic traffic;
  private final String user;
  private final long idleNanos;
  /** Set while the client's SASL mechanism choice must be checked before it reaches the backend. */
  private ScramPlusWatch scramWatch;
  /** Set while the backend's BackendKeyData (and, in 3.0, its own notifications) must be minted for the client. */
  private BackendKeyRewrite keyRewrite;
  /** When bytes last moved either way (read only with an idle timeout). */
  private long lastActivityNanos;
  private long halfCloseDeadline = NO_DEADLINE;
  /** The side whose input ended first, for the audit event; null while both are open. */
  private ConnectionAudit.ClosedBy endedFirst;
  /** Where both streams stand between messages and queries: when a drained session may end. */
  private final IdleWatch idleWatch = new IdleWatch();
  /** The FATAL a drained session ends with; null while no drain is asked for. */
  private Rejection drain;
  private long drainDeadline = NO_DEADLINE;

  /**
   * @param scramWatch the channel-binding gate for a session whose client saw another certificate
   *     than the backend's, else null
   * @param keyRewrite the minting of the cancel key the client is told, on a listener with
   *     several routes; else null
   */
  Relay(ConnectionLog log, CompiledRoute route, Leg client, Leg backend, PooledBuffer c2b, PooledBuffer b2c,
      Traffic traffic, String user, ScramPlusWatch scramWatch, BackendKeyRewrite keyRewrite) {
    this.log = log;
    this.route = route;
    this.client = client;
    this.backend = backend;
    this.c2b = c2b;
    this.b2c = b2c;
    this.traffic = traffic;
    this.user = user;
    this.scramWatch = scramWatch;
    this.keyRewrite = keyRewrite;
    this.idleNanos = route.idleTimeout().toNanos();
    // What the openings left in the buffers starts each stream: the client's StartupMessage, and
    // whatever the backend may have sent already.
    if (!c2b.isEmpty()) {
      idleWatch.fromClient(c2b.peek(), 0, c2b.size());
    }
    if (!b2c.isEmpty()) {
      idleWatch.fromBackend(b2c.peek(), 0, b2c.size());
    }
  }

  /**
   * Ends this session at its next idle point, or at {@code deadlineNanos} (System.nanoTime) at the
   * latest, with a Terminate to the backend and {@code fatal}'s ErrorResponse to the client;
   * {@link #step} then returns {@link Outcome#closeGracefully(String, Rejection)} with {@code
   * fatal}. Idle means: {@link IdleWatch#idle()}, both relay buffers empty, nothing pending on
   * either leg, no delegated task running, and neither side finished sending (a session half
   * closed is already ending its own way). Only on the loop's thread; the driver steps the stage
   * after this call (an idle session ends at that step) and re-arms its timer for {@link
   * #deadline()}. A second call keeps the first FATAL and the earlier deadline.
   */
  void drain(Rejection fatal, long deadlineNanos) {
    if (drain == null) {
      drain = fatal;
    }
    drainDeadline = Math.min(drainDeadline, deadlineNanos);
  }

  @Override
  public void enter(ConnectionState state, long nowNanos) {
    lastActivityNanos = nowNanos;
  }

  /**
   * The side that ended the session first, or null while both are open. A client whose last
   * message was a Terminate ended it, even when the backend's EOF (its answer to the Terminate)
   * reached pgtls before the client's own.
   */
  ConnectionAudit.ClosedBy endedFirst() {
    return endedFirst == ConnectionAudit.ClosedBy.BACKEND && idleWatch.clientTerminated() ? ConnectionAudit.ClosedBy.CLIENT
        : endedFirst;
  }

  /** Why a pump stopped. */
  private enum Pumped {
    /** One side cannot go on now (nothing to read, the other cannot take more, input ended). */
    BLOCKED,
    /** The budget ran out with work left. */
    BUDGET_SPENT,
    /** {@link #tasksOf} must run its delegated tasks first. */
    NEEDS_TASKS,
    /** The SCRAM watch refused the session. */
    REFUSED
  }

  /** The leg whose delegated tasks a pump met (a TLS 1.3 KeyUpdate, say). */
  private Leg tasksOf;

  @Override
  public Outcome step(ConnectionState state) throws IOException {
    Pumped up = pump(client, backend, c2b, true);
    if (up == Pumped.REFUSED) {
      return Outcome.refuse(Refusals.channelBinding(route.name(), route.backend(), user));
    }
    Pumped down = up == Pumped.NEEDS_TASKS ? up : pump(backend, client, b2c, false);
    if (down == Pumped.NEEDS_TASKS) {
      return Outcome.runTasks(tasksOf);
    }
    if (drain != null && quiet()) {
      return endDrained("at idle");
    }
    if (endedFirst == null && (client.inputEnded() || backend.inputEnded())) {
      endedFirst = client.inputEnded() ? ConnectionAudit.ClosedBy.CLIENT : ConnectionAudit.ClosedBy.BACKEND;
    }
    // Half-close: a side that has finished sending is finished toward the other side too, once
    // everything it sent has been delivered.
    if (client.inputEnded() && c2b.isEmpty() && !backend.outputShut() && !backend.taskRunning()) {
      backend.finishShutdown();
    }
    if (backend.inputEnded() && b2c.isEmpty() && !client.outputShut() && !client.taskRunning()) {
      client.finishShutdown();
    }
    if (client.inputEnded() && backend.inputEnded() && client.outputShut() && backend.outputShut()
        && !client.hasPendingOutput() && !backend.hasPendingOutput()) {
      return Outcome.closeNow(client.closeNotifyReceived() || backend.closeNotifyReceived() ? "session ended"
          : "session ended (no close_notify)");
    }
    if ((client.inputEnded() || backend.inputEnded()) && halfCloseDeadline == NO_DEADLINE) {
      halfCloseDeadline = System.nanoTime() + HALF_CLOSE_LINGER.toNanos();
    }
    return up == Pumped.BUDGET_SPENT || down == Pumped.BUDGET_SPENT ? Outcome.YIELD : Outcome.WAIT;
  }

  /** Moves data from {@code from} to {@code to} until blocked or out of budget. */
  private Pumped pump(Leg from, Leg to, PooledBuffer buf, boolean clientToBackend) throws IOException {
    for (int i = 0; i < BUDGET; i++) {
      if (from.taskRunning() || to.taskRunning()) {
        return Pumped.BLOCKED;
      }
      if (!buf.isEmpty() || to.hasPendingOutput()) {
        Leg.Progress d;
        if (clientToBackend && scramWatch != null) {
          d = drainWatched(to, buf);
          if (d == null) {
            return Pumped.REFUSED;
          }
        } else if (!clientToBackend && keyRewrite != null) {
          d = drainRewritten(to, buf);
        } else {
          d = to.drain(buf);
        }
        if (d == Leg.Progress.NEEDS_TASK) {
          tasksOf = to;
          return Pumped.NEEDS_TASKS;
        }
        if (d != Leg.Progress.DONE) {
          return Pumped.BLOCKED; // backpressure: do not read more from `from` until `to` takes this
        }
      }
      if (from.inputEnded()) {
        return Pumped.BLOCKED;
      }
      int before = buf.size();
      Leg.Progress f = from.fill(buf);
      int produced = buf.size() - before;
      if (produced > 0) {
        counted(clientToBackend, produced);
        // The new bytes are framed as read, before the key rewrite sees them: it changes the
        // length of a BackendKeyData it mints a longer or shorter key for, and that message's
        // bytes, but no other message's bounds, so the framing of the backend's own bytes holds.
        if (clientToBackend) {
          idleWatch.fromClient(buf.peek(), before, before + produced);
        } else {
          idleWatch.fromBackend(buf.peek(), before, before + produced);
        }
      }
      switch (f) {
        case DONE:
        case DESTINATION_FULL:
          continue;
        case NEEDS_TASK:
          tasksOf = from;
          return Pumped.NEEDS_TASKS;
        case ENDED:
          log.debug("{} finished sending ({})", from.side(), from.closeNotifyReceived() ? "close_notify" : "EOF");
          return Pumped.BLOCKED;
        default:
          return Pumped.BLOCKED;
      }
    }
    return Pumped.BUDGET_SPENT;
  }

  /** Counts relayed plaintext; reads the clock only for a route with an idle timeout. */
  private void counted(boolean clientToBackend, int bytes) {
    if (clientToBackend) {
      traffic.clientToBackend += bytes;
      route.counters().relayedClientToBackend(bytes);
    } else {
      traffic.backendToClient += bytes;
      route.counters().relayedBackendToClient(bytes);
    }
    if (idleNanos > 0) {
      lastActivityNanos = System.nanoTime();
    }
  }

  /**
   * Forwards only what {@link ScramPlusWatch} has judged: a SASLInitialResponse is held back until
   * its mechanism name has arrived. Held bytes go back into the buffer after the forwarded ones,
   * so the order is kept. Null when the watch refuses the session.
   */
  private Leg.Progress drainWatched(Leg to, PooledBuffer buf) throws IOException {
    ByteBuffer view = buf.view();
    int allowed = scramWatch.forwardable(view);
    if (scramWatch.verdict() == ScramPlusWatch.Verdict.REFUSE) {
      scramWatch = null;
      return null;
    }
    byte[] held = new byte[view.remaining() - allowed];
    view.position(view.position() + allowed).get(held);
    if (held.length > 0) {
      buf.truncate(allowed);
    }
    int before = buf.size();
    Leg.Progress d = to.drain(buf);
    scramWatch.drained(before - buf.size());
    if (held.length > 0) {
      buf.prepare().put(held);
    }
    if (scramWatch.verdict() == ScramPlusWatch.Verdict.PASS) {
      scramWatch = null;
    }
    return d;
  }

  /**
   * Forwards only what {@link BackendKeyRewrite} has made final: a BackendKeyData or a
   * NotificationResponse waits whole, and is rewritten, before any of it reaches the client.
   */
  private Leg.Progress drainRewritten(Leg to, PooledBuffer buf) throws IOException {
    int allowed = keyRewrite.process(buf.prepare());
    int before = buf.size();
    Leg.Progress d = to.drain(buf, allowed);
    keyRewrite.drained(before - buf.size());
    if (!keyRewrite.watching()) {
      if (keyRewrite.state() == BackendKeyRewrite.State.PROTOCOL_ERROR) {
        log.warn("backend sent a message of impossible length; the cancel key the client sees is not minted");
      }
      keyRewrite = null;
    }
    return d;
  }

  /** Whether the session is idle (see {@link #drain}) with everything read delivered and nothing else under way. */
  private boolean quiet() {
    return idleWatch.idle() && c2b.isEmpty() && b2c.isEmpty() && !client.hasPendingOutput()
        && !backend.hasPendingOutput() && !client.taskRunning() && !backend.taskRunning() && !client.inputEnded()
        && !backend.inputEnded();
  }

  /**
   * Ends the drained session: the backend gets a Terminate and the client the FATAL, each only
   * where it lands between two messages of what that side was sent so far; both legs then close
   * cleanly (the driver's CLOSING flushes them). At idle both always go. At the deadline the relay
   * buffers may hold bytes, and they are dropped: what the client sent that the backend has not
   * taken must not run unseen once the client is told its session ended. So the backend gets the
   * Terminate only when c2b was empty and the client's stream was between messages; otherwise it
   * gets no Terminate (none may go inside a client message) and its leg just closes, which
   * PostgreSQL treats as the client's goodbye too (EOF: it rolls back and exits). Likewise the
   * client hears the FATAL only when b2c was empty and the backend's stream between messages; a
   * client in the middle of a message (a long DataRow) sees the connection close.
   */
  private Outcome endDrained(String when) {
    boolean terminate = c2b.isEmpty() && idleWatch.clientAtBoundary() && !backend.outputShut();
    boolean tell = b2c.isEmpty() && idleWatch.backendAtBoundary() && !client.outputShut();
    c2b.release();
    b2c.release();
    boolean terminated = terminate && say(backend, c2b, ClientMessages.terminate());
    boolean told = tell && say(client, b2c, drain.errorResponse());
    log.at(drain.level(), drain.logLine() + " (" + when + (terminated ? "" : "; no Terminate: the backend's leg just "
        + "closes") + (told ? "" : "; no FATAL: the client's leg just closes") + ")");
    return Outcome.closeGracefully(drain.closeReason() + " (" + when + ")", drain);
  }

  /**
   * Sends {@code message}, pgtls's own last words on {@code to}: queued on a plaintext leg's wire,
   * encrypted through the empty {@code via} into a TLS leg's network buffer; the driver's CLOSING
   * flushes either. False when it could not go: the leg failed, or a TLS leg could not take it now
   * (its network buffer full, or its engine first needing a delegated task); that leg then just
   * closes.
   */
  private boolean say(Leg to, PooledBuffer via, byte[] message) {
    try {
      if (!to.isTls()) {
        to.wire().queue(message);
        to.wire().flush();
        return true;
      }
      via.prepare().put(message);
      to.drain(via);
      return via.isEmpty();
    } catch (LegIOException e) {
      log.debug("{} gone while a drain ended the session: {}", to.side(), e.getMessage());
      return false;
    } finally {
      via.release();
    }
  }

  @Override
  public boolean wantsInput(ConnectionState state, Leg leg) {
    Leg other = leg == client ? backend : client;
    if (leg == client && scramWatch != null && !other.hasPendingOutput()) {
      return true; // bytes held for the SCRAM check need the rest of their message
    }
    if (leg == backend && keyRewrite != null && !other.hasPendingOutput()) {
      return true; // bytes held for the key rewrite need the rest of their message
    }
    PooledBuffer outOfLeg = leg == client ? c2b : b2c;
    return outOfLeg.isEmpty() && !other.hasPendingOutput();
  }

  @Override
  public boolean hasOutputFor(Leg leg) {
    return !leg.isTls() && !(leg == client ? b2c : c2b).isEmpty();
  }

  @Override
  public long deadline() {
    long idle = idleNanos > 0 ? lastActivityNanos + idleNanos : NO_DEADLINE;
    return Math.min(Math.min(idle, halfCloseDeadline), drainDeadline);
  }

  @Override
  public Outcome onDeadline(ConnectionState state) {
    long now = System.nanoTime();
    if (drain != null && drainDeadline != NO_DEADLINE && now - drainDeadline >= 0) {
      return endDrained("at the drain deadline"); // idle or not, mid-query or not
    }
    if (now - halfCloseDeadline >= 0 && halfCloseDeadline != NO_DEADLINE) {
      String what = "the other side to finish after one side closed";
      log.info("timeout after {} ms {} (in {})", HALF_CLOSE_LINGER.toMillis(), what, state);
      return Outcome.closeNow("timeout " + what);
    }
    long idle = now - lastActivityNanos;
    if (idleNanos > 0 && idle >= idleNanos) {
      log.info("idle for {} s; closing (idle_timeout)", TimeUnit.NANOSECONDS.toSeconds(idle));
      return Outcome.closeGracefully("idle timeout");
    }
    return Outcome.WAIT;
  }

  /** Bytes relayed each way in one session, for its closing log line. */
  static final class Traffic {
    long clientToBackend;
    long backendToClient;

    @Override
    public String toString() {
      return clientToBackend + "/" + backendToClient;
    }
  }

  @Override
  public String toString() {
    return "Relay[" + c2b + " " + b2c + (scramWatch != null ? " scram-watch" : "")
        + (keyRewrite != null ? " key-rewrite" : "") + (drain != null ? " draining" : "") + "]";
  }
}
