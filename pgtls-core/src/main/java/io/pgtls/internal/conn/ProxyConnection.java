package io.pgtls.internal.conn;

import io.pgtls.HostPort;
import java.net.InetSocketAddress;
import io.pgtls.internal.route.SharedLimits;
import io.pgtls.internal.proxy.ProxyProtocolPolicy;
import io.pgtls.internal.proxy.ProxyHeader;
import io.pgtls.internal.limit.LimitRefusal;
import io.pgtls.ProxyProtocol;
import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.LoopGroup;
import io.pgtls.internal.loop.Selectable;
import io.pgtls.internal.pg.BackendKeyRewrite;
import io.pgtls.internal.pg.ScramPlusWatch;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.LiveSession;
import io.pgtls.internal.route.ServerNames;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The driver of one client connection and, once its first message is known, its backend
 * connection. Runs only on its {@link EventLoop}. It owns the lifecycle: the {@link
 * ConnectionState} (changed here only, along the moves the state allows), the current {@link
 * Stage}, the two legs and the two relay buffers, one timer, and closing. Every event (a key
 * ready, delegated tasks done, a DNS answer, the timer) ends in {@link #run()}, which steps the
 * stage until it waits, acts on each {@link Outcome}, then sets both sockets' interest from what
 * the stage wants.
 */
public final class ProxyConnection {
  /** State changes per event before the driver sets interest anyway: a guard against a loop between stages. */
  private static final int MAX_STEPS = 16;

  private final long id;
  private final String proxyName;
  private final CompiledListener listener;
  private final RouteChoice routing;
  private final EventLoop loop;
  private final LoopGroup group;
  private final BufferPool pool;
  private final ConnectionLog log;
  private final long acceptedNanos = System.nanoTime();
  private final Leg client;
  private Leg backend;
  /** Plaintext on its way from the client to the backend, and back. */
  private final PooledBuffer c2b;
  private final PooledBuffer b2c;
  private final Relay.Traffic traffic = new Relay.Traffic();
  private final ClientSource source;
  private final Runnable rerun = this::run;
  private final DeadlineTimer timer;
  private final OffLoop offLoop;
  private final ConnectionAudit audit;

  private ConnectionState state = ConnectionState.NEGOTIATING;
  private Stage stage;
  /** The client's first message, once read; fixed from then on. */
  private SessionRequest request;
  /** The stage that resolves and connects the backend, while it is the current one. */
  private BackendOpening backendOpening;
  /** The relay stage, once the session relays: it knows which side ended first. */
  private Relay relay;
  /** This session as a reconfiguration sees it, while it relays. */
  private Live live;
  /** Who ended the connection, when known before it closes (an I/O failure, pgtls's own close). */
  private ConnectionAudit.ClosedBy closedBy;
  /** Whether this connection counts against the route's and the proxy's session limits. */
  private boolean holdsSessionSlot;
  private boolean rerunScheduled;

  private ProxyConnection(long id, String proxyName, CompiledListener listener, EventLoop loop, LoopGroup group,
      SocketChannel socket) {
    this.id = id;
    this.proxyName = proxyName;
    this.listener = listener;
    this.routing = new RouteChoice(listener);
    this.loop = loop;
    this.group = group;
    this.pool = loop.buffers();
    this.client = new Leg("client", new SocketTransport(socket, group.wrap(socket)), pool);
    this.c2b = new PooledBuffer(pool, true, "c2b");
    this.b2c = new PooledBuffer(pool, true, "b2c");
    this.timer = new DeadlineTimer(loop, this::onTimer);
    this.offLoop = new OffLoop(group, loop);
    this.source = ClientSource.of(socket);
    this.log = new ConnectionLog(tag());
    this.audit = new ConnectionAudit(id, HostPort.format(source.peer()), listener.address().toString());
    if (routing.route() != null) {
      audit.route(routing.route().name(), null);
    }
  }

  /** Takes over an accepted socket; call on {@code loop}'s thread. */
  static void open(String proxyName, CompiledListener listener, EventLoop loop, LoopGroup group,
      SocketChannel socket) {
    ProxyConnection c = new ProxyConnection(group.nextConnectionId(), proxyName, listener, loop, group, socket);
    group.connectionOpened();
    c.routing.accepted();
    try {
      c.client.register(loop, SelectionKey.OP_READ, c.handlerOf(c.client));
    } catch (IOException e) {
      c.closeNow("could not register the socket: " + e.getMessage());
      return;
    }
    c.log.debug("accepted");
    c.begin();
  }

  /**
   * The first decisions, before a byte is read: a place among pending connections; then, behind a
   * load balancer, the PROXY protocol header from a trusted peer (anyone else refused, or served
   * as a direct client); else the client's first packet.
   */
  private void begin() {
    SharedLimits limits = listener.limits();
    limits.sweepIfDue();
    if (!source.enterPending(limits.sources())) {
      refuseFlood(LimitRefusal.PENDING, Refusals.pendingConnections(limits.sources().settings().maxPendingConnections()));
      return;
    }
    ProxyProtocolPolicy proxyProtocol = listener.proxyProtocol();
    if (proxyProtocol != null && proxyProtocol.trusts(source.peer().getAddress())) {
      state = ConnectionState.READING_PROXY_HEADER;
      stage = new ProxyHeaderReading(log, proxyProtocol, client, listener.startupTimeout());
      stage.enter(state, System.nanoTime());
      run();
      return;
    }
    if (proxyProtocol != null && proxyProtocol.untrusted() == ProxyProtocol.Untrusted.REFUSE) {
      refuse(Refusals.untrustedProxyPeer(HostPort.format(source.peer())));
      return;
    }
    if (sourceKnown(null, null)) {
      startNegotiating();
    }
  }

  private void startNegotiating() {
    stage = new ClientOpening(log, listener, client, c2b);
    if (state == ConnectionState.NEGOTIATING) {
      stage.enter(ConnectionState.NEGOTIATING, System.nanoTime());
      run();
    } else {
      moveTo(ConnectionState.NEGOTIATING, stage);
    }
  }

  /**
   * The real client is known ({@code address} null: the peer itself): the log tag and the audit
   * event name it, and it counts against its address's limits; false when refused for its rate.
   */
  private boolean sourceKnown(InetSocketAddress address, ProxyHeader.Info header) {
    boolean withinRate = source.known(address, header, listener.limits().sources());
    log.retag(tag());
    audit.source(HostPort.format(source.address()), header == null ? "" : header.describe());
    if (header != null) {
      log.info("PROXY protocol header: {}", header.describe());
    }
    if (!withinRate) {
      refuseFlood(LimitRefusal.HANDSHAKE_RATE, Refusals.handshakeRate(source.ip().getHostAddress(),
          listener.limits().sources().settings().handshakesPerSecond()));
    }
    return withinRate;
  }

  /**
   * A refusal a flood repeats: counted like any other, logged at most once a second per address
   * and reason, and closed at once without a word (before TLS, there is no one to read it).
   */
  private void refuseFlood(LimitRefusal limit, Rejection r) {
    routing.counters().refused(r.reason());
    audit.decided(ConnectionAudit.Decision.REFUSED, r.reason().label);
    closedBy = ConnectionAudit.ClosedBy.PGTLS;
    listener.limits().floodLog().refused(limit, source.ip(), () -> log.tag() + ": " + r.logLine());
    closeNow(r.closeReason());
  }

  // ---------------------------------------------------------------------------------------------
  // The run loop

  private void run() {
    rerunScheduled = false;
    if (state == ConnectionState.CLOSED) {
      return;
    }
    try {
      for (int i = 0; i < MAX_STEPS && state != ConnectionState.CLOSED; i++) {
        if (!act(stage.step(state))) {
          break;
        }
      }
      afterEvent();
    } catch (Exception e) {
      fail(e);
    }
  }

  /** Acts on what a stage achieved; true when the (new) stage should step again at once. */
  private boolean act(Outcome outcome) throws IOException {
    switch (outcome.kind()) {
      case WAIT:
        return false;
      case ADVANCE:
        if (outcome.state() == ConnectionState.AWAIT_STARTUP) {
          audit.clientTls(client.tls());
        }
        moveTo(outcome.state(), stage);
        return true;
      case RUN_TASKS:
        runTasks(outcome.leg());
        return false;
      case RESOLVE:
        resolve(backendOpening);
        return false;
      case ROUTED:
        routed(outcome.route(), outcome.match(), outcome.serverName());
        return true;
      case PROXY_HEADER:
        InetSocketAddress real = outcome.header().clientAddress().orElse(null);
        if (sourceKnown(real, outcome.header())) {
          startNegotiating();
        }
        return true;
      case CLIENT_READY:
        clientReady(outcome.request());
        return true;
      case BACKEND_READY:
        backendReady();
        return true;
      case REFUSE:
        refuse(outcome.rejection());
        return true;
      case CLOSE_GRACEFULLY:
        if (outcome.rejection() != null) {
          // A drained session: the Relay logged what it told each side; it counts like a refusal.
          routing.counters().refused(outcome.rejection().reason());
          closedBy = ConnectionAudit.ClosedBy.PGTLS;
        }
        closeGracefully(outcome.reason());
        return true;
      case CLOSE_NOW:
        if (outcome.clientLeft() && closedBy == null) {
          closedBy = ConnectionAudit.ClosedBy.CLIENT;
        }
        closeNow(outcome.reason());
        return false;
      case YIELD:
        if (!rerunScheduled) {
          rerunScheduled = true;
          loop.execute(rerun); // other connections on this loop get their turn first
        }
        return false;
      default:
        throw new IllegalStateException("unknown outcome " + outcome);
    }
  }

  /** The only place the state changes (but for {@link #closeNow}); an illegal move fails loudly. */
  private void moveTo(ConnectionState next, Stage nextStage) {
    if (!state.canMoveTo(next)) {
      throw new IllegalStateException("illegal transition " + state + " -> " + next + " in " + this);
    }
    state = next;
    stage = nextStage;
    stage.enter(next, System.nanoTime());
  }

  private void afterEvent() {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    client.setInterest(stage.interestOps(state, client));
    if (backend != null) {
      backend.setInterest(stage.interestOps(state, backend));
    }
    timer.arm(stage.deadline());
  }

  // ---------------------------------------------------------------------------------------------
  // Between stages

  /** The route is chosen: from now on the connection counts, and logs, as the route's. */
  private void routed(CompiledRoute chosen, ServerNames.Kind kind, String serverName) {
    if (routing.choose(chosen, kind, serverName)) {
      log.retag(tag());
    }
    audit.route(chosen.name(), serverName);
  }

  /** Every log line's start: the route once known, else the listener. */
  private String tag() {
    return "pgtls[" + proxyName + "] " + routing.describe() + " conn#" + id + " " + source.describe();
  }

  /**
   * The client's first message is known. A session takes a slot under the limits; a cancel closes
   * the client's socket at once (libpq and pgjdbc wait for EOF, and must not wait on a slow
   * backend). Either way the backend is next.
   */
  private void clientReady(SessionRequest r) throws IOException {
    request = r;
    audit.request(r);
    source.leavePending();
    if (r.cancel()) {
      String how = client.isTls() ? "inside TLS" : "plaintext";
      if (listener.mintsCancelKeys() && !cancelTarget(how)) {
        return;
      }
      if (!routing.route().allowsSource(source.ip())) {
        refuse(Refusals.cancelFromSourceNotAllowed(routing.route().name(), source.ip().getHostAddress()));
        return;
      }
      if (!source.tryCancel()) {
        refuseFlood(LimitRefusal.CANCEL_RATE, Refusals.cancelRate(source.ip().getHostAddress(),
            listener.limits().sources().settings().cancelsPerSecond()));
        return;
      }
      log.info("CancelRequest ({}) forwarded to backend {}", how, routing.route().backend());
      client.close(loop);
    } else {
      ClientAdmission.Verdict admission = ClientAdmission.judge(routing.route(), source,
          client.isTls() ? client.tls().peerCertificate() : null, r, c2b);
      audit.identity(admission.identity(), admission.mapLine(), admission.reason());
      if (!admission.admitted()) {
        refuse(admission.rejection());
        return;
      }
      request = r = admission.request();
      Optional<String> refused = routing.route().tryAcquireSession();
      if (refused.isPresent()) {
        refuse(Refusals.tooManyConnections(r.user(), r.database(), refused.get()));
        return;
      }
      holdsSessionSlot = true;
      log.debug("StartupMessage protocol {} user={} database={}", r.protocol(), r.user(), r.database());
    }
    ProxyProtocol.Versions outbound = routing.route().route().backendProxyProtocol();
    backendOpening = new BackendOpening(log, routing.route(),
        new BackendSockets(loop, group, pool, this::handlerOf, leg -> backend = leg), b2c,
        outbound == null ? null : source.outboundHeader(outbound));
    moveTo(ConnectionState.BACKEND_CONNECTING, backendOpening);
  }

  /**
   * On a listener that mints cancel keys, the key names the route (whatever server name a TLS
   * cancel came with); false when the key was not minted here: the cancel is dropped.
   */
  private boolean cancelTarget(String how) {
    Optional<CompiledListener.CancelTarget> target = CancelPackets.retarget(c2b, request.packetLength(), listener);
    if (target.isEmpty()) {
      refuse(Refusals.cancelWithUnknownKey(how));
      return false;
    }
    if (routing.moveTo(target.get().route())) {
      log.retag(tag());
    }
    return true;
  }

  private void backendReady() {
    SocketAddress backendAddress = backendOpening.address();
    backendOpening = null;
    audit.backend(HostPort.format(backendAddress));
    if (request.cancel()) {
      audit.decided(ConnectionAudit.Decision.CANCEL, "forwarded");
      moveTo(ConnectionState.FORWARDING_CANCEL, new ForwardCancel(backend, c2b));
      return;
    }
    CompiledRoute route = routing.route();
    route.counters().sessionStarted();
    audit.accepted();
    log.info("session user={} database={}{}{} -> backend {} ({})", request.user(), request.database(),
        request.serverName().isEmpty() ? "" : " sni=" + request.serverName(), routing.match() == null ? ""
        : " match=" + routing.match().label, HostPort.format(backendAddress),
        backend.isTls() ? backend.tls().protocol() : "plaintext");
    ScramPlusWatch scramWatch = null;
    if (backend.isTls() && client.isTls() && !client.tls().presentsSameEndPointAs(backend.tls())) {
      // SCRAM-SHA-256-PLUS binds to the certificate the client saw; the backend checks its own.
      scramWatch = new ScramPlusWatch(request.packetLength());
      route.warnOnceAboutChannelBinding();
    }
    BackendKeyRewrite keyRewrite = listener.mintsCancelKeys() ? new BackendKeyRewrite(listener.keyMinter(route)) : null;
    // The relay buffers are the client engine's output and input (see BufferPool), or a socket's.
    boolean direct = client.isTls() ? client.tls().prefersDirectBuffers()
        : !backend.isTls() || backend.tls().prefersDirectBuffers();
    c2b.prefer(direct);
    b2c.prefer(direct);
    relay = new Relay(log, route, client, backend, c2b, b2c, traffic, request.user(), scramWatch, keyRewrite);
    moveTo(ConnectionState.RELAYING, relay);
    live = new Live(new LiveSession.Facts(source.ip(),
        client.isTls() ? client.tls().peerCertificateChain() : new java.security.cert.X509Certificate[0], request.user()));
    route.register(live);
  }

  // ---------------------------------------------------------------------------------------------
  // Refusing and closing

  /**
   * Refuses the client as {@code r} says: logs it, counts it, closes the backend leg if there is
   * one, tells the client (a FATAL in plaintext before TLS, inside TLS after) and closes.
   */
  private void refuse(Rejection r) {
    log.at(r.level(), r.logLine());
    audit.decided(r.handshakeFailure() != null ? ConnectionAudit.Decision.HANDSHAKE_FAILED
        : ConnectionAudit.Decision.REFUSED, r.handshakeFailure() != null ? r.handshakeFailure() : r.reason().label);
    closedBy = ConnectionAudit.ClosedBy.PGTLS;
    if (r.ending() == Rejection.Ending.BACKEND_FAILURE) {
      routing.route().counters().backendConnectFailed();
    }
    if (r.handshakeFailure() != null) {
      routing.counters().clientHandshakeFailed(r.handshakeFailure());
    }
    routing.counters().refused(r.reason());
    closeBackend();
    if (r.ending() == Rejection.Ending.NOW) {
      closeNow(r.closeReason());
    } else if (r.ending() == Rejection.Ending.GRACEFUL) {
      closeGracefully(r.closeReason());
    } else if (r.ending() == Rejection.Ending.BACKEND_FAILURE && request != null && request.cancel()) {
      closeNow("cancel not forwarded: " + r.message());
    } else {
      sendFatal(r);
    }
  }

  /** Sends the client a FATAL ErrorResponse (inside TLS once the client leg has it) and closes. */
  private void sendFatal(Rejection r) {
    c2b.release();
    b2c.release();
    try {
      if (client.isTls()) {
        b2c.prepare().put(r.errorResponse());
        client.drain(b2c);
      } else {
        client.wire().discardInput();
        client.wire().queue(r.errorResponse());
      }
    } catch (LegIOException e) {
      closeNow("client gone while reporting: " + r.message());
      return;
    }
    closeGracefully(r.closeReason());
  }

  /** Flush what is owed to each side, send close_notify and FIN, wait briefly for EOF, close. */
  private void closeGracefully(String reason) {
    if (closedBy == null && !client.inputEnded()) {
      closedBy = ConnectionAudit.ClosedBy.PGTLS;
    }
    moveTo(ConnectionState.CLOSING, backend == null ? new Closing(reason, client) : new Closing(reason, client, backend));
  }

  private void closeBackend() {
    if (backend != null) {
      backend.close(loop);
      backend = null;
    }
  }

  private void fail(Throwable e) {
    if (state != ConnectionState.CLOSED) {
      if (closedBy == null && e instanceof LegIOException) {
        closedBy = "client".equals(((LegIOException) e).side()) ? ConnectionAudit.ClosedBy.CLIENT
            : ConnectionAudit.ClosedBy.BACKEND;
      }
      closeNow(log.failed(e, state, this));
    }
  }

  /** Closes both sockets now and returns every buffer; logs one summary line. */
  void closeNow(String reason) {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    ConnectionState was = state;
    ConnectionAudit.ClosedBy by = closedBy();
    state = ConnectionState.CLOSED;
    timer.cancel();
    client.close(loop);
    boolean hadBackend = backend != null;
    closeBackend();
    c2b.release();
    b2c.release();
    if (holdsSessionSlot) {
      holdsSessionSlot = false;
      routing.route().releaseSession();
    }
    source.close();
    if (live != null) {
      routing.route().unregister(live);
    }
    group.connectionClosed();
    routing.closed();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acceptedNanos);
    boolean session = request != null && !request.cancel();
    if (was == ConnectionState.RELAYING || was == ConnectionState.CLOSING && session && hadBackend) {
      log.info("closed after {} ms: {}; bytes client->backend={} backend->client={}", millis, reason,
          traffic.clientToBackend, traffic.backendToClient);
    } else {
      log.debug("closed after {} ms in {}: {}", millis, was, reason);
    }
    audit.closed(traffic.clientToBackend, traffic.backendToClient, millis, by);
  }

  /** Who ended the connection: as recorded, else the side whose input ended first, else pgtls. */
  private ConnectionAudit.ClosedBy closedBy() {
    if (closedBy != null) {
      return closedBy;
    }
    if (relay != null && relay.endedFirst() != null) {
      return relay.endedFirst();
    }
    if (client.inputEnded()) {
      return ConnectionAudit.ClosedBy.CLIENT;
    }
    return backend != null && backend.inputEnded() ? ConnectionAudit.ClosedBy.BACKEND : ConnectionAudit.ClosedBy.PGTLS;
  }

  // ---------------------------------------------------------------------------------------------
  // Work off the loop, and the timer

  private void runTasks(Leg leg) {
    if (!offLoop.runTasks(leg, rerun)) {
      closeNow("proxy shutting down");
    }
  }

  /** Resolves the backend's host off the loop; the answer resumes the stage that asked, if it is still current. */
  private void resolve(BackendOpening opening) {
    boolean started = offLoop.resolve(opening.hostToResolve(), (addresses, error) -> {
      if (stage == opening && state == ConnectionState.BACKEND_CONNECTING) {
        opening.resolved(addresses, error);
        run();
      }
    });
    if (!started) {
      closeNow("proxy shutting down");
    }
  }

  private void onTimer() {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    try {
      if (DeadlineTimer.passed(stage.deadline()) && act(stage.onDeadline(state))) {
        run();
        return;
      }
      afterEvent();
    } catch (Exception e) {
      fail(e);
    }
  }

  /** The attachment of {@code leg}'s selection key: every key event ends in {@link #run()}. */
  private Selectable handlerOf(Leg leg) {
    return new LegEvents(leg, this::run, this::fail, () -> closeNow("proxy shutting down"), this::toString);
  }

  /** A relaying session as a reconfiguration sees it; what it asks is carried out on this connection's loop. */
  private final class Live implements LiveSession {
    private final Facts facts;

    Live(Facts facts) {
      this.facts = facts;
    }

    @Override
    public Facts facts() {
      return facts;
    }

    @Override
    public void drain(String why, long deadlineNanos) {
      loop.execute(() -> {
        if (state == ConnectionState.RELAYING && relay != null) {
          relay.drain(Refusals.drained(routing.route().name(), why), deadlineNanos);
          run();
        }
      });
    }

    @Override
    public void end(String why) {
      loop.execute(() -> {
        if (state == ConnectionState.RELAYING) {
          refuse(Refusals.drained(routing.route().name(), why));
          run();
        }
      });
    }
  }

  @Override
  public String toString() {
    return "ProxyConnection[" + routing + "#" + id + " " + state + " " + stage + " " + client
        + (backend == null ? "" : " " + backend) + " " + c2b + " " + b2c + " bytes=" + traffic + "]";
  }
}
