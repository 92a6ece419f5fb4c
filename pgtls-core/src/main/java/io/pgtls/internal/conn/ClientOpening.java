package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.conn.StartupRules.Decision;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.ServerNames;
import io.pgtls.internal.tls.ClientHelloPeek;
import io.pgtls.internal.tls.TlsSession;
import io.pgtls.tls.TlsContexts;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The client's side of opening: its plaintext first packet (NEGOTIATING), its ClientHello, read
 * without taking it to choose the route by server name (CLIENT_HELLO), the TLS handshake on that
 * route's engine (CLIENT_HANDSHAKE) and its first message inside TLS (AWAIT_STARTUP). Ends with
 * the client's {@link SessionRequest}, whose packet waits at the start of {@code c2b}, or with a
 * refusal.
 */
final class ClientOpening implements Stage {
  private static final byte[] ANSWER_S = {'S'};
  private static final byte[] ANSWER_N = {'N'};

  private final ConnectionLog log;
  private final CompiledListener listener;
  private final StartupRules.Policy policy;
  private final Leg client;
  private final PooledBuffer c2b;
  /** The route, once chosen (at once on a listener with one route). */
  private CompiledRoute route;
  /** The server name the ClientHello asked for, as sent; null for none. */
  private String serverName;
  private boolean directTls;
  private boolean serverNameRead;
  /** The ALPN protocols the ClientHello offered, in order; empty for none. */
  private List<String> offeredAlpn = List.of();
  /** Whether the ClientHello offers TLS 1.3, which decides the listener context (see CompiledRoute). */
  private boolean helloOffersTls13;
  private long handshakeStartNanos;
  private long deadline = NO_DEADLINE;

  ClientOpening(ConnectionLog log, CompiledListener listener, Leg client, PooledBuffer c2b) {
    this.log = log;
    this.listener = listener;
    this.route = listener.soleRoute().orElse(null);
    this.policy = new StartupRules.Policy(route != null ? route.name() : null, listener.address().toString(),
        listener.allowPlaintextCancel(), listener.allowPlaintextClients());
    this.client = client;
    this.c2b = c2b;
  }

  @Override
  public void enter(ConnectionState state, long nowNanos) {
    switch (state) {
      case NEGOTIATING:
      case AWAIT_STARTUP:
        deadline = nowNanos + listener.startupTimeout().toNanos();
        break;
      case CLIENT_HELLO:
        // One handshake_timeout covers reading the ClientHello and the handshake after it.
        handshakeStartNanos = nowNanos;
        deadline = nowNanos + listener.handshakeTimeout().toNanos();
        break;
      case CLIENT_HANDSHAKE:
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
      case CLIENT_HELLO:
        return readHello();
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
        return Outcome.refuse(Refusals.startupTimeoutInPlaintext(millis(listener.startupTimeout().toNanos())));
      case CLIENT_HELLO:
      case CLIENT_HANDSHAKE:
        return Outcome.refuse(Refusals.clientHandshakeTimeout(millis(listener.handshakeTimeout().toNanos())));
      case AWAIT_STARTUP:
      default:
        return Outcome.refuse(Refusals.startupTimeoutInsideTls(millis(listener.startupTimeout().toNanos())));
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
          directTls = true;
          return Outcome.advance(ConnectionState.CLIENT_HELLO);
        case ANSWER_S:
          client.wire().skip(d.length());
          client.wire().queue(ANSWER_S);
          client.wire().flush();
          return Outcome.advance(ConnectionState.CLIENT_HELLO);
        case ANSWER_N:
          client.wire().skip(d.length());
          log.debug("GSSENCRequest answered N");
          client.wire().queue(ANSWER_N);
          if (!client.wire().flush()) {
            return Outcome.WAIT;
          }
          continue;
        case CANCEL:
        case SESSION:
          // A cancel on a listener with several routes goes where its key leads (the driver
          // decodes it); a plaintext session takes the route for clients without a server name.
          if (route == null && d.kind() == Decision.Kind.SESSION) {
            return plaintextRoute(d);
          }
          if (d.kind() == Decision.Kind.CANCEL) {
            client.wire().takePacket(d.length(), c2b);
            return Outcome.clientReady(SessionRequest.cancel(d.length(), ""));
          }
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

  /**
   * A plaintext client on a listener that chooses routes by server name sends none: it takes the
   * listener's route for clients without a name (no_sni), else its default route.
   */
  private Outcome plaintextRoute(Decision d) {
    Optional<ServerNames.Match<CompiledRoute>> match = listener.route(null);
    if (match.isEmpty()) {
      return Outcome.refuse(Refusals.plaintextStartupOnListener(listener.address().toString(), d.user(),
          d.database()));
    }
    route = match.get().route();
    return Outcome.routed(route, match.get().kind(), null);
  }

  private Outcome closedBeforeFirstPacket() {
    if (!client.wire().hasInput()) {
      log.debug("closed before sending a startup packet (health check or port scan)");
      return Outcome.clientLeft("client closed before sending a startup packet");
    }
    log.info("incomplete startup packet ({} bytes), client closed", client.wire().inputSize());
    return Outcome.clientLeft("incomplete startup packet");
  }

  // ---------------------------------------------------------------------------------------------
  // CLIENT_HELLO: the route, chosen from the ClientHello before any engine exists

  /**
   * Reads the ClientHello without taking it, chooses the route by its server name, and starts
   * that route's engine on the same bytes: so the route's certificate, client-CA policy and TLS
   * versions are the ones the handshake uses. The JDK's own server_name parsing refuses names
   * PostgreSQL accepts (underscores, a trailing dot), so the name comes from here, not the engine.
   */
  private Outcome readHello() throws IOException {
    if (route != null && serverNameRead) {
      if (!offeredAlpn.isEmpty() && !offeredAlpn.contains(TlsContexts.ALPN_POSTGRESQL)) {
        // PostgreSQL answers a client that offers ALPN without "postgresql" with a fatal
        // no_application_protocol alert. The JDK's engine would too, but netty-tcnative's cannot
        // (FATAL_ALERT is refused for OpenSSL; NO_ADVERTISE completes the handshake without ALPN),
        // so pgtls refuses it itself, for every engine alike, before any engine exists.
        client.wire().queue(TlsAlerts.fatal(TlsAlerts.NO_APPLICATION_PROTOCOL));
        return Outcome.refuse(Refusals.clientHandshakeFailed(HandshakeFailures.alpnWithoutPostgresql(offeredAlpn),
            HandshakeFailures.ALPN_CODE));
      }
      client.startTls(route.newListenerSession(helloOffersTls13));
      return Outcome.advance(ConnectionState.CLIENT_HANDSHAKE);
    }
    while (true) {
      ClientHelloPeek.Result hello = ClientHelloPeek.peek(client.wire().input());
      switch (hello.verdict()) {
        case NEED_MORE: {
          if (client.wire().inputFull()) {
            return refuseHello(ClientHelloPeek.Reason.TOO_LARGE, "a ClientHello larger than "
                + client.wire().inputSize() + " bytes");
          }
          int n = client.wire().readIfReady();
          if (n < 0) {
            log.info("client closed the connection during the TLS handshake");
            return Outcome.clientLeft("client closed during the TLS handshake");
          }
          if (n == 0) {
            return Outcome.WAIT;
          }
          continue;
        }
        case REJECT:
          return refuseHello(hello.reason(), hello.message());
        case HELLO:
        default:
          serverNameRead = true;
          serverName = hello.serverName();
          offeredAlpn = hello.alpnProtocols();
          helloOffersTls13 = hello.offersTls13();
          Optional<ServerNames.Match<CompiledRoute>> match = listener.route(serverName);
          if (match.isEmpty()) {
            client.wire().queue(TlsAlerts.fatal(TlsAlerts.UNRECOGNIZED_NAME));
            return Outcome.refuse(Refusals.unrecognizedName(serverName));
          }
          route = match.get().route();
          return Outcome.routed(route, match.get().kind(), null);
      }
    }
  }

  private Outcome refuseHello(ClientHelloPeek.Reason reason, String what) {
    byte[] alert = TlsAlerts.forRejected(reason);
    if (alert != null) {
      client.wire().queue(alert);
    }
    return Outcome.refuse(Refusals.clientHelloUnreadable(reason, what));
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
      return Outcome.clientLeft("client closed during the TLS handshake");
    }
    return Outcome.WAIT;
  }

  private Outcome handshakeFailed(SSLException e) throws IOException {
    client.sendFailureAlert();
    return Outcome.refuse(Refusals.clientHandshakeFailed(HandshakeFailures.client(e), HandshakeFailures.clientCode(e)));
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
      String sni = serverName();
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
          return Outcome.clientReady(SessionRequest.session(d, serverName()));
        case CANCEL:
          c2b.truncate(d.length()); // only the packet is forwarded; anything behind it is dropped
          return Outcome.clientReady(SessionRequest.cancel(d.length(), serverName()));
        case REFUSE:
        default:
          return Outcome.refuse(d.rejection());
      }
    }
  }

  /** The server name the client asked for, as sent, or "" for none. */
  private String serverName() {
    return serverName == null ? "" : serverName;
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  @Override
  public String toString() {
    return "ClientOpening" + (directTls ? "[direct]" : "");
  }
}
