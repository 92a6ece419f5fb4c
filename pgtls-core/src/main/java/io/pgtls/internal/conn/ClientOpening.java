package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.conn.StartupRules.Decision;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.tls.TlsSession;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The client's side of opening: its plaintext first packet (NEGOTIATING), the TLS handshake
 * (CLIENT_HANDSHAKE) and its first message inside TLS (AWAIT_STARTUP). Ends with the client's
 * {@link SessionRequest}, whose packet waits at the start of {@code c2b}, or with a refusal.
 */
final class ClientOpening implements Stage {
  private static final byte[] ANSWER_S = {'S'};
  private static final byte[] ANSWER_N = {'N'};

  private final ConnectionLog log;
  private final CompiledRoute route;
  private final StartupRules.Policy policy;
  private final Leg client;
  private final PooledBuffer c2b;
  private boolean directTls;
  private long handshakeStartNanos;
  private long deadline = NO_DEADLINE;

  ClientOpening(ConnectionLog log, CompiledRoute route, Leg client, PooledBuffer c2b) {
    this.log = log;
    this.route = route;
    this.policy = new StartupRules.Policy(route.name(), route.allowPlaintextCancel(), route.allowPlaintextClients());
    this.client = client;
    this.c2b = c2b;
  }

  @Override
  public void enter(ConnectionState state, long nowNanos) {
    switch (state) {
      case NEGOTIATING:
      case AWAIT_STARTUP:
        deadline = nowNanos + route.startupTimeout().toNanos();
        break;
      case CLIENT_HANDSHAKE:
        handshakeStartNanos = nowNanos;
        deadline = nowNanos + route.handshakeTimeout().toNanos();
        break;
      default:
        throw new IllegalStateException("ClientOpening does not serve " + state);
    }
  }

  @Override
  public Outcome step(ConnectionState state) throws IOException {
    switch (state) {
      case NEGOTIATING:
        return negotiate();
      case CLIENT_HANDSHAKE:
        return handshake();
      case AWAIT_STARTUP:
        return awaitStartup();
      default:
        throw new IllegalStateException("ClientOpening does not serve " + state);
    }
  }

  @Override
  public boolean wantsInput(ConnectionState state, Leg leg) {
    return leg == client;
  }

  @Override
  public long deadline() {
    return deadline;
  }

  @Override
  public Outcome onDeadline(ConnectionState state) {
    switch (state) {
      case NEGOTIATING:
        return Outcome.refuse(Refusals.startupTimeoutInPlaintext(millis(route.startupTimeout().toNanos())));
      case CLIENT_HANDSHAKE:
        route.counters().clientHandshakeFailed("timeout");
        return Outcome.refuse(Refusals.clientHandshakeTimeout(millis(route.handshakeTimeout().toNanos())));
      case AWAIT_STARTUP:
      default:
        return Outcome.refuse(Refusals.startupTimeoutInsideTls(millis(route.startupTimeout().toNanos())));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // NEGOTIATING: the client's plaintext first packet

  private Outcome negotiate() throws IOException {
    if (!client.wire().flush()) {
      return Outcome.WAIT; // an 'N' answer is still on its way out
    }
    while (true) {
      Decision d = StartupRules.beforeTls(client.wire().input(), policy);
      switch (d.kind()) {
        case NEED_MORE: {
          int n = client.wire().readIfReady();
          if (n < 0) {
            return closedBeforeFirstPacket();
          }
          if (n == 0) {
            return Outcome.WAIT;
          }
          continue;
        }
        case DIRECT_TLS:
          // PostgreSQL 17+ "direct SSL": the ClientHello comes first, no SSLRequest; the bytes
          // already read are TLS input.
          log.debug("direct TLS connection (no SSLRequest)");
          return startTls(true);
        case ANSWER_S:
          client.wire().skip(d.length());
          client.wire().queue(ANSWER_S);
          client.wire().flush();
          return startTls(false);
        case ANSWER_N:
          client.wire().skip(d.length());
          log.debug("GSSENCRequest answered N");
          client.wire().queue(ANSWER_N);
          if (!client.wire().flush()) {
            return Outcome.WAIT;
          }
          continue;
        case CANCEL:
          client.wire().takePacket(d.length(), c2b);
          return Outcome.clientReady(SessionRequest.cancel(d.length(), ""));
        case SESSION:
          // The operator opted this route into plaintext clients (a trusted network): the session
          // is relayed like a TLS one, only without TLS on the client leg.
          log.info("plaintext StartupMessage accepted (route allows plaintext clients)");
          client.wire().moveInputTo(c2b.prepare());
          return Outcome.clientReady(SessionRequest.session(d, ""));
        case REFUSE:
        default:
          return Outcome.refuse(d.rejection());
      }
    }
  }

  private Outcome closedBeforeFirstPacket() {
    if (!client.wire().hasInput()) {
      log.debug("closed before sending a startup packet (health check or port scan)");
      return Outcome.closeNow("client closed before sending a startup packet");
    }
    log.info("incomplete startup packet ({} bytes), client closed", client.wire().inputSize());
    return Outcome.closeNow("incomplete startup packet");
  }

  private Outcome startTls(boolean direct) throws IOException {
    directTls = direct;
    client.startTls(new TlsSession(route.newListenerEngine()));
    return Outcome.advance(ConnectionState.CLIENT_HANDSHAKE);
  }

  // ---------------------------------------------------------------------------------------------
  // CLIENT_HANDSHAKE

  private Outcome handshake() throws IOException {
    if (client.taskRunning()) {
      return Outcome.WAIT;
    }
    Leg.Progress p;
    try {
      p = client.fill(c2b);
    } catch (LegIOException e) {
      if (e.failure() instanceof SSLException) {
        return handshakeFailed((SSLException) e.failure());
      }
      throw e;
    }
    if (p == Leg.Progress.NEEDS_TASK) {
      return Outcome.runTasks(client);
    }
    if (client.handshakeComplete()) {
      return handshakeDone();
    }
    if (p == Leg.Progress.ENDED) {
      log.info("client closed the connection during the TLS handshake");
      return Outcome.closeNow("client closed during the TLS handshake");
    }
    return Outcome.WAIT;
  }

  private Outcome handshakeFailed(SSLException e) throws IOException {
    route.counters().clientHandshakeFailed(HandshakeFailures.clientCode(e));
    client.sendFailureAlert();
    return Outcome.refuse(Refusals.clientHandshakeFailed(HandshakeFailures.client(e)));
  }

  private Outcome handshakeDone() {
    TlsSession tls = client.tls();
    String alpn = tls.applicationProtocol();
    if (directTls && !"postgresql".equals(alpn)) {
      // PostgreSQL itself completes the handshake and then closes a direct-SSL connection that
      // did not negotiate ALPN "postgresql"; so do we.
      return Outcome.refuse(Refusals.directTlsWithoutAlpn());
    }
    if (log.isDebugEnabled()) {
      String sni = tls.requestedServerName();
      String subject = tls.peerSubject();
      log.debug("client TLS established: {} {}{}{}{}", tls.protocol(), tls.cipherSuite(),
          alpn == null || alpn.isEmpty() ? "" : " alpn=" + alpn, sni.isEmpty() ? "" : " sni=" + sni,
          subject.isEmpty() ? "" : " client-cert=" + subject);
    }
    route.counters().clientHandshake(System.nanoTime() - handshakeStartNanos);
    return Outcome.advance(ConnectionState.AWAIT_STARTUP);
  }

  // ---------------------------------------------------------------------------------------------
  // AWAIT_STARTUP: the first message inside TLS

  private Outcome awaitStartup() throws IOException {
    while (true) {
      Decision d = StartupRules.insideTls(c2b.view());
      switch (d.kind()) {
        case NEED_MORE: {
          if (client.taskRunning()) {
            return Outcome.WAIT;
          }
          Leg.Progress p = client.fill(c2b);
          if (p == Leg.Progress.NEEDS_TASK) {
            return Outcome.runTasks(client);
          }
          if (p == Leg.Progress.DONE) {
            continue;
          }
          if (p == Leg.Progress.ENDED) {
            log.debug("client closed before sending its startup packet inside TLS");
            return Outcome.closeGracefully("client closed before its startup packet");
          }
          return Outcome.WAIT;
        }
        case SESSION:
          return Outcome.clientReady(SessionRequest.session(d, client.tls().requestedServerName()));
        case CANCEL:
          c2b.truncate(d.length()); // only the packet is forwarded; anything behind it is dropped
          return Outcome.clientReady(SessionRequest.cancel(d.length(), client.tls().requestedServerName()));
        case REFUSE:
        default:
          return Outcome.refuse(d.rejection());
      }
    }
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  @Override
  public String toString() {
    return "ClientOpening" + (directTls ? "[direct]" : "");
  }
}
