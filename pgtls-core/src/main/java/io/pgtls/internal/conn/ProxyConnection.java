package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.loop.EventLoop;
import io.pgtls.internal.loop.LoopGroup;
import io.pgtls.internal.loop.Selectable;
import io.pgtls.internal.loop.Timeout;
import io.pgtls.internal.pg.ErrorResponse;
import io.pgtls.internal.pg.FirstPacket;
import io.pgtls.internal.pg.ScramPlusWatch;
import io.pgtls.internal.pg.StartupCodes;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.Refusal;
import io.pgtls.internal.tls.Certificates;
import io.pgtls.internal.tls.TlsSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and, once its first message is known, its backend connection. Runs only
 * on its {@link EventLoop}. Every event calls {@link #run()}, which makes all the progress the
 * current {@link ConnectionState} allows and then sets both sockets' interest from what each side
 * needs: the connection is a state machine driven by "what can happen now", not by which key fired.
 */
public final class ProxyConnection {
  private static final Logger log = LoggerFactory.getLogger(ProxyConnection.class);

  /** How long a closing connection waits for its peers' EOF after sending everything. */
  private static final Duration CLOSE_LINGER = Duration.ofSeconds(2);
  /** How long one side may keep sending after the other has finished. */
  private static final Duration HALF_CLOSE_LINGER = Duration.ofSeconds(30);
  /** Relay rounds per event before yielding the loop to other connections. */
  private static final int RELAY_BUDGET = 32;

  /** What the client asked for with its first message. */
  private enum Purpose { SESSION, CANCEL }

  private final long id;
  private final String proxyName;
  private final CompiledRoute route;
  private final EventLoop loop;
  private final LoopGroup group;
  private final BufferPool pool;
  private final String tag;
  private final long acceptedNanos = System.nanoTime();
  private final Leg client;
  private Leg backend;
  /** Plaintext on its way from the client to the backend, and back. */
  private final PooledBuffer c2b;
  private final PooledBuffer b2c;

  private ConnectionState state = ConnectionState.NEGOTIATING;
  private Purpose purpose = Purpose.SESSION;
  private boolean directTls;
  private Timeout deadline;
  private String deadlineWhat;
  private InetAddress[] backendAddresses;
  private int backendAddressIndex;
  private String lastConnectError;
  private InetSocketAddress backendAddress;
  private String user = "";
  private String database = "";
  private long bytesClientToBackend;
  private long bytesBackendToClient;
  private Leg activeLeg;
  private boolean rerunScheduled;
  private int startupLength;
  /** Whether this connection counts against the route's and the proxy's session limits. */
  private boolean holdsSessionSlots;
  /** When bytes last moved either way while relaying (for the idle timeout). */
  private long lastActivityNanos;
  private Timeout idleTimer;
  /** When the current timed phase (client handshake, backend connect) began. */
  private long phaseStartNanos;
  /** Set while the client's SASL mechanism choice must be checked before it reaches the backend. */
  private ScramPlusWatch scramWatch;
  /** The client's SNI server name, if it sent one. */
  private String clientSni = "";

  private ProxyConnection(long id, String proxyName, CompiledRoute route, EventLoop loop, LoopGroup group,
      SocketChannel socket) {
    this.id = id;
    this.proxyName = proxyName;
    this.route = route;
    this.loop = loop;
    this.group = group;
    this.pool = loop.buffers();
    this.client = new Leg("client", socket, group.wrap(socket), pool);
    this.c2b = new PooledBuffer(pool, true, "c2b");
    this.b2c = new PooledBuffer(pool, true, "b2c");
    this.tag = "pgtls[" + proxyName + "] route '" + route.name() + "' conn#" + id + " client=" + address(remote(socket));
  }

  /** Takes over an accepted socket; call on {@code loop}'s thread. */
  static void open(String proxyName, CompiledRoute route, EventLoop loop, LoopGroup group, SocketChannel socket) {
    ProxyConnection c = new ProxyConnection(group.nextConnectionId(), proxyName, route, loop, group, socket);
    group.connectionOpened();
    route.counters().accepted();
    try {
      c.client.key = loop.register(socket, SelectionKey.OP_READ, c.new Handler(c.client));
    } catch (IOException e) {
      c.closeNow("could not register the socket: " + e.getMessage());
      return;
    }
    log.debug("{}: accepted", c.tag);
    c.resetDeadline(route.startupTimeout(), "receiving the startup packet");
    c.run();
  }

  // ---------------------------------------------------------------------------------------------
  // The driver

  private void run() {
    rerunScheduled = false;
    if (state == ConnectionState.CLOSED) {
      return;
    }
    try {
      for (int guard = 0; guard < 16; guard++) {
        ConnectionState before = state;
        step();
        if (state == before || state == ConnectionState.CLOSED) {
          break;
        }
      }
      if (state != ConnectionState.CLOSED) {
        updateInterest();
      }
    } catch (Exception e) {
      fail(e);
    }
  }

  private void step() throws IOException {
    switch (state) {
      case NEGOTIATING:
        negotiate();
        break;
      case CLIENT_HANDSHAKE:
        clientHandshake();
        break;
      case AWAIT_STARTUP:
        awaitStartup();
        break;
      case BACKEND_CONNECTING:
        break; // waiting for DNS or OP_CONNECT
      case BACKEND_NEGOTIATING:
        backendNegotiate();
        break;
      case BACKEND_HANDSHAKE:
        backendHandshake();
        break;
      case RELAYING:
        relay();
        break;
      case CLOSING:
        closing();
        break;
      case CLOSED:
        break;
      default:
        throw new IllegalStateException("unknown state " + state);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // NEGOTIATING: the client's plaintext first packet

  private void negotiate() throws IOException {
    activeLeg = client;
    if (!client.flushRaw()) {
      return; // an 'N' answer is still on its way out
    }
    while (true) {
      FirstPacket fp = peekRaw(client.netIn);
      if (fp.kind() == FirstPacket.Kind.INCOMPLETE) {
        if (!client.readReady) {
          return;
        }
        int n = client.readRaw();
        if (n < 0) {
          if (client.netIn.isEmpty()) {
            log.debug("{}: closed before sending a startup packet (health check or port scan)", tag);
            closeNow("client closed before sending a startup packet");
          } else {
            log.info("{}: incomplete startup packet ({} bytes), client closed", tag, client.netIn.size());
            closeNow("incomplete startup packet");
          }
          return;
        }
        if (n == 0) {
          return;
        }
        continue;
      }
      switch (fp.kind()) {
        case DIRECT_TLS:
          // PostgreSQL 17+ "direct SSL": the ClientHello comes first, no SSLRequest. The bytes in
          // netIn are TLS input.
          log.debug("{}: direct TLS connection (no SSLRequest)", tag);
          startClientTls(true);
          return;
        case SSL_REQUEST:
          consume(client.netIn, 8);
          if (!client.netIn.isEmpty() && client.netIn.peek().get(0) != StartupCodes.TLS_HANDSHAKE_RECORD) {
            // CVE-2021-23214: bytes sent after the SSLRequest but before TLS must never be taken
            // as part of the encrypted session. A ClientHello pipelined right behind the request
            // (what PostgreSQL 17 allows) is TLS input; anything else is refused here.
            log.warn("{}: received unencrypted data after SSLRequest; refusing (possible man-in-the-middle)", tag);
            refusePlain(Refusal.UNENCRYPTED_AFTER_SSL_REQUEST, ErrorResponse.PROTOCOL_VIOLATION, "received unencrypted data after SSL request",
                "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.",
                null);
            return;
          }
          client.queueRaw(new byte[] {'S'});
          client.flushRaw();
          startClientTls(false);
          return;
        case GSSENC_REQUEST:
          // pgtls does not do GSSAPI encryption: answer 'N' and keep reading, so that libpq's
          // follow-up SSLRequest on the same socket works.
          consume(client.netIn, 8);
          log.debug("{}: GSSENCRequest answered N", tag);
          client.queueRaw(new byte[] {'N'});
          if (!client.flushRaw()) {
            return;
          }
          continue;
        case CANCEL_REQUEST:
          if (!route.allowPlaintextCancel()) {
            log.warn("{}: plaintext CancelRequest refused: this route accepts cancels only inside TLS", tag);
            route.counters().refused(Refusal.PLAINTEXT_CANCEL);
            closeNow("plaintext CancelRequest refused");
            return;
          }
          takePacket(client.netIn, fp.length());
          startCancel("plaintext");
          return;
        case STARTUP_MESSAGE: {
          Map<String, String> params = FirstPacket.startupParameters(client.netIn.peek().duplicate().flip(), fp.length());
          if (route.allowPlaintextClients()) {
            // The operator opted this route into plaintext clients (a trusted network): the session
            // is relayed like a TLS one, only without TLS on the client leg.
            log.info("{}: plaintext StartupMessage accepted (route allows plaintext clients)", tag);
            moveAllTo(client.netIn, c2b);
            beginSession(params, fp);
            return;
          }
          log.warn("{}: refused a plaintext StartupMessage (user={}, database={}): this route requires TLS", tag,
              params.getOrDefault("user", ""), params.getOrDefault("database", params.getOrDefault("user", "")));
          refusePlain(Refusal.PLAINTEXT, ErrorResponse.INVALID_AUTHORIZATION_SPECIFICATION,
              "pgtls route '" + route.name() + "' requires an encrypted connection (SSL/TLS); this connection was not encrypted",
              null, "Connect with sslmode=require or stronger (sslmode=verify-full is recommended).");
          return;
        }
        case UNSUPPORTED_PROTOCOL:
          log.warn("{}: refused protocol {}.{} StartupMessage in plaintext", tag, fp.majorVersion(), fp.minorVersion());
          refusePlain(Refusal.UNSUPPORTED_PROTOCOL, ErrorResponse.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol " + fp.majorVersion() + "."
              + fp.minorVersion() + ": pgtls supports protocol 3 over TLS only", null,
              "Connect with sslmode=require or stronger.");
          return;
        case INVALID_LENGTH:
        default:
          log.info("{}: invalid length of startup packet ({}); closing", tag, fp.length());
          route.counters().refused(Refusal.INVALID_PACKET);
          closeNow("invalid startup packet length " + fp.length());
          return;
      }
    }
  }

  private void startClientTls(boolean direct) throws SSLException {
    directTls = direct;
    phaseStartNanos = System.nanoTime();
    client.startTls(new TlsSession(route.newListenerEngine()));
    client.tls.begin();
    state = ConnectionState.CLIENT_HANDSHAKE;
    resetDeadline(route.handshakeTimeout(), "the TLS handshake with the client");
  }

  // ---------------------------------------------------------------------------------------------
  // CLIENT_HANDSHAKE

  private void clientHandshake() throws IOException {
    activeLeg = client;
    if (client.task == Leg.TaskState.RUNNING) {
      return;
    }
    Leg.Progress p;
    try {
      p = client.fill(c2b);
    } catch (SSLException e) {
      clientHandshakeFailed(e);
      return;
    }
    if (p == Leg.Progress.NEEDS_TASK) {
      runTasks(client);
      return;
    }
    if (client.tls.handshakeComplete()) {
      String alpn = client.tls.applicationProtocol();
      if (directTls && !"postgresql".equals(alpn)) {
        // PostgreSQL itself completes the handshake and then closes a direct-SSL connection
        // that did not negotiate ALPN "postgresql"; so do we.
        log.warn("{}: direct TLS connection without ALPN 'postgresql' refused", tag);
        route.counters().refused(Refusal.DIRECT_TLS_WITHOUT_ALPN);
        closeGracefully("direct TLS without ALPN");
        return;
      }
      clientSni = Certificates.requestedServerName(client.tls.engine().getSession());
      if (log.isDebugEnabled()) {
        SSLSession s = client.tls.engine().getSession();
        log.debug("{}: client TLS established: {} {}{}{}{}", tag, s.getProtocol(), s.getCipherSuite(),
            alpn == null || alpn.isEmpty() ? "" : " alpn=" + alpn, clientSni.isEmpty() ? "" : " sni=" + clientSni,
            peerSubject(s));
      }
      route.counters().clientHandshake(System.nanoTime() - phaseStartNanos);
      state = ConnectionState.AWAIT_STARTUP;
      resetDeadline(route.startupTimeout(), "receiving the startup packet inside TLS");
      return;
    }
    if (p == Leg.Progress.ENDED) {
      log.info("{}: client closed the connection during the TLS handshake", tag);
      closeNow("client closed during the TLS handshake");
    }
  }

  private void clientHandshakeFailed(SSLException e) throws IOException {
    log.warn("{}: TLS handshake with the client failed: {}", tag, HandshakeFailures.client(e));
    route.counters().clientHandshakeFailed(HandshakeFailures.clientCode(e));
    route.counters().refused(Refusal.CLIENT_TLS);
    client.tls.wrapFailureAlert(client.netOut.prepare());
    client.netOut.releaseIfEmpty();
    client.flushRaw();
    closeGracefully("client TLS handshake failed");
  }

  // ---------------------------------------------------------------------------------------------
  // AWAIT_STARTUP: the first message inside TLS

  private void awaitStartup() throws IOException {
    activeLeg = client;
    while (true) {
      FirstPacket fp = peekRaw(c2b);
      if (fp.kind() == FirstPacket.Kind.INCOMPLETE) {
        if (client.task == Leg.TaskState.RUNNING) {
          return;
        }
        Leg.Progress p = client.fill(c2b);
        if (p == Leg.Progress.NEEDS_TASK) {
          runTasks(client);
          return;
        }
        if (p == Leg.Progress.DONE) {
          continue;
        }
        if (p == Leg.Progress.ENDED) {
          log.debug("{}: client closed before sending its startup packet inside TLS", tag);
          closeGracefully("client closed before its startup packet");
        }
        return;
      }
      switch (fp.kind()) {
        case STARTUP_MESSAGE: {
          beginSession(FirstPacket.startupParameters(c2b.peek().duplicate().flip(), fp.length()), fp);
          return;
        }
        case CANCEL_REQUEST:
          takePacket(c2b, fp.length());
          startCancel("inside TLS");
          return;
        case SSL_REQUEST:
        case GSSENC_REQUEST:
          // PostgreSQL reads a second encryption request as a StartupMessage of protocol
          // 1234.5679 (or .5680) and refuses that version; pgtls answers the same way.
          log.warn("{}: received {} inside an encrypted connection; refusing", tag, fp.kind());
          refuseTls(Refusal.UNSUPPORTED_PROTOCOL, ErrorResponse.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol " + fp.majorVersion() + "."
              + fp.minorVersion() + ": an encryption request inside an encrypted connection", null);
          return;
        case UNSUPPORTED_PROTOCOL:
          log.warn("{}: unsupported frontend protocol {}.{}", tag, fp.majorVersion(), fp.minorVersion());
          refuseTls(Refusal.UNSUPPORTED_PROTOCOL, ErrorResponse.FEATURE_NOT_SUPPORTED, "unsupported frontend protocol " + fp.majorVersion() + "."
              + fp.minorVersion() + ": server supports 3.0 to 3.2", null);
          return;
        case DIRECT_TLS:
        case INVALID_LENGTH:
        default:
          log.warn("{}: invalid length of startup packet inside TLS ({})", tag, fp.length());
          refuseTls(Refusal.INVALID_PACKET, ErrorResponse.PROTOCOL_VIOLATION, "invalid length of startup packet", null);
          return;
      }
    }
  }

  /**
   * The StartupMessage (now at the start of {@code c2b}) opens a session: note who it is for, take
   * a slot under the limits, and connect the backend.
   */
  private void beginSession(Map<String, String> params, FirstPacket fp) throws IOException {
    user = params.getOrDefault("user", "");
    database = params.getOrDefault("database", user);
    startupLength = fp.length();
    if (!takeSessionSlots()) {
      return;
    }
    log.debug("{}: StartupMessage protocol {}.{} user={} database={}", tag, fp.majorVersion(), fp.minorVersion(),
        user, database);
    connectBackend();
  }

  /**
   * Takes a slot under the route's and the proxy's session limits, or refuses the client with
   * PostgreSQL's own answer to a full server: FATAL 53300 "sorry, too many clients already".
   */
  private boolean takeSessionSlots() throws IOException {
    java.util.Optional<String> refused = route.tryAcquireSession();
    if (refused.isPresent()) {
      refuseTooMany(refused.get());
      return false;
    }
    holdsSessionSlots = true;
    return true;
  }

  private void refuseTooMany(String detail) throws IOException {
    log.warn("{}: refused user={} database={}: {}", tag, user, database, detail);
    refuseTls(Refusal.TOO_MANY_CONNECTIONS, ErrorResponse.TOO_MANY_CONNECTIONS, "sorry, too many clients already",
        detail + " (max_connections)", null);
  }

  /**
   * A CancelRequest carries no user and gets no reply. Close the client's socket now (libpq and
   * pgjdbc wait for EOF, and must not wait on a slow backend), then forward the packet, unchanged,
   * over the same kind of link the route uses: with a TLS backend leg the key never travels in
   * cleartext. The backend checks the key.
   */
  private void startCancel(String how) throws IOException {
    purpose = Purpose.CANCEL;
    log.info("{}: CancelRequest ({}) forwarded to backend {}", tag, how, route.backend());
    closeLeg(client);
    connectBackend();
  }

  // ---------------------------------------------------------------------------------------------
  // BACKEND_CONNECTING

  private void connectBackend() {
    state = ConnectionState.BACKEND_CONNECTING;
    phaseStartNanos = System.nanoTime();
    resetDeadline(route.connectTimeout(), "connecting to the backend");
    String host = route.backend().host();
    if (route.backend().isIpLiteral()) {
      try {
        onResolved(InetAddress.getAllByName(host), null); // a literal: no DNS query
      } catch (UnknownHostException e) {
        onResolved(null, e);
      }
      return;
    }
    try {
      group.workers().execute(() -> {
        InetAddress[] addrs = null;
        UnknownHostException error = null;
        try {
          addrs = InetAddress.getAllByName(host); // DNS: never on a loop thread
        } catch (UnknownHostException e) {
          error = e;
        }
        InetAddress[] a = addrs;
        UnknownHostException err = error;
        loop.execute(() -> {
          try {
            onResolved(a, err);
            if (state != ConnectionState.CLOSED) {
              updateInterest();
            }
          } catch (Exception e) {
            fail(e);
          }
        });
      });
    } catch (RejectedExecutionException e) {
      closeNow("proxy shutting down");
    }
  }

  private void onResolved(InetAddress[] addrs, UnknownHostException error) {
    if (state != ConnectionState.BACKEND_CONNECTING) {
      return; // timed out or closed meanwhile
    }
    if (error != null || addrs == null || addrs.length == 0) {
      backendFailed(Refusal.BACKEND_UNAVAILABLE, ErrorResponse.CONNECTION_FAILURE, "could not resolve backend host \"" + route.backend().host() + "\"",
          "Check backend.address of route '" + route.name() + "'.");
      return;
    }
    backendAddresses = addrs;
    backendAddressIndex = 0;
    tryNextAddress();
  }

  private void tryNextAddress() {
    while (backendAddressIndex < backendAddresses.length) {
      InetSocketAddress target = new InetSocketAddress(backendAddresses[backendAddressIndex++], route.backend().port());
      SocketChannel ch = null;
      try {
        ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        backend = new Leg("backend", ch, group.wrap(ch), pool);
        backendAddress = target;
        boolean connected = ch.connect(target);
        backend.key = loop.register(ch, connected ? 0 : SelectionKey.OP_CONNECT, new Handler(backend));
        if (connected) {
          onBackendConnected();
        }
        return;
      } catch (IOException e) {
        lastConnectError = e.getMessage();
        log.debug("{}: connecting to backend {} failed: {}", tag, target, e.toString());
        if (backend != null) {
          closeLeg(backend);
          backend = null;
        } else if (ch != null) {
          closeQuietly(ch);
        }
      }
    }
    backendFailed(Refusal.BACKEND_UNAVAILABLE, ErrorResponse.CONNECTION_FAILURE, "could not connect to backend " + route.backend() + ": "
        + (lastConnectError == null ? "no address" : lastConnectError),
        "Is the PostgreSQL server of route '" + route.name() + "' running and accepting TCP connections?");
  }

  private void onConnectable() {
    if (state != ConnectionState.BACKEND_CONNECTING || backend == null) {
      return;
    }
    try {
      if (!backend.socket.finishConnect()) {
        return;
      }
    } catch (IOException e) {
      lastConnectError = e.getMessage();
      log.debug("{}: connecting to backend {} failed: {}", tag, backendAddress, e.toString());
      closeLeg(backend);
      backend = null;
      tryNextAddress();
      return;
    }
    try {
      onBackendConnected();
    } catch (IOException e) {
      fail(e);
    }
  }

  private void onBackendConnected() throws IOException {
    log.debug("{}: connected to backend {}", tag, backendAddress);
    if (route.backendTlsEnabled() && route.backendDirectTls()) {
      // PostgreSQL 17+ direct TLS: the ClientHello goes first, saving the SSLRequest round trip.
      backend.startTls(new TlsSession(route.newBackendEngine()));
      backend.tls.begin();
      state = ConnectionState.BACKEND_HANDSHAKE;
      resetDeadline(route.handshakeTimeout(), "TLS negotiation with the backend");
    } else if (route.backendTlsEnabled()) {
      backend.queueRaw(StartupCodes.sslRequest());
      backend.flushRaw();
      state = ConnectionState.BACKEND_NEGOTIATING;
      resetDeadline(route.handshakeTimeout(), "TLS negotiation with the backend");
    } else {
      enterRelay();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // BACKEND_NEGOTIATING and BACKEND_HANDSHAKE

  private void backendNegotiate() throws IOException {
    activeLeg = backend;
    backend.flushRaw();
    if (backend.readReady) {
      int n = backend.readRaw();
      if (n < 0 && backend.netIn.isEmpty()) {
        backendFailed(Refusal.BACKEND_TLS, ErrorResponse.CONNECTION_FAILURE, "backend " + route.backend()
            + " closed the connection in answer to SSLRequest", null);
        return;
      }
    }
    if (backend.netIn.isEmpty()) {
      return;
    }
    ByteBuffer in = backend.netIn.peek();
    byte answer = in.get(0);
    switch (answer) {
      case 'S':
        if (in.position() > 1) {
          // CVE-2021-23222: a ServerHello cannot legitimately arrive before our ClientHello, so
          // bytes behind the 'S' were injected by someone on the path.
          log.warn("{}: backend {} sent unencrypted data after 'S'; refusing (possible man-in-the-middle)", tag,
              backendAddress);
          backendFailed(Refusal.BACKEND_TLS, ErrorResponse.PROTOCOL_VIOLATION, "backend " + route.backend()
              + " sent unencrypted data after its SSL response", null);
          return;
        }
        consume(backend.netIn, 1);
        backend.startTls(new TlsSession(route.newBackendEngine()));
        backend.tls.begin();
        state = ConnectionState.BACKEND_HANDSHAKE;
        return;
      case 'N':
        backendFailed(Refusal.BACKEND_TLS, ErrorResponse.UNABLE_TO_ESTABLISH_CONNECTION, "backend " + route.backend()
            + " does not accept TLS (it answered N to SSLRequest), and route '" + route.name() + "' requires TLS to it",
            "Enable ssl on that PostgreSQL server, or set tls_enabled = false for this route's backend.");
        return;
      case 'E':
        // The text of an ErrorResponse before TLS is unauthenticated: log that it came, never relay it.
        backendFailed(Refusal.BACKEND_TLS, ErrorResponse.CONNECTION_FAILURE, "backend " + route.backend()
            + " answered SSLRequest with an error", null);
        return;
      default:
        backendFailed(Refusal.BACKEND_TLS, ErrorResponse.CONNECTION_FAILURE, String.format("backend %s answered SSLRequest with "
            + "unexpected byte 0x%02x; is it a PostgreSQL server?", route.backend(), answer & 0xFF), null);
    }
  }

  private void backendHandshake() throws IOException {
    activeLeg = backend;
    if (backend.task == Leg.TaskState.RUNNING) {
      return;
    }
    Leg.Progress p;
    try {
      p = backend.fill(b2c);
    } catch (SSLException e) {
      String why = HandshakeFailures.backend(e, route.backendServerName());
      backendFailed(Refusal.BACKEND_TLS, ErrorResponse.CONNECTION_FAILURE, "pgtls could not establish TLS with backend " + route.backend()
          + ": " + why, null);
      return;
    }
    if (p == Leg.Progress.NEEDS_TASK) {
      runTasks(backend);
      return;
    }
    if (backend.tls.handshakeComplete()) {
      if (route.backendDirectTls() && !"postgresql".equals(backend.tls.applicationProtocol())) {
        backendFailed(Refusal.BACKEND_TLS, ErrorResponse.CONNECTION_FAILURE, "backend " + route.backend()
            + " did not negotiate ALPN 'postgresql' for direct TLS", "direct_tls needs PostgreSQL 17 or newer.");
        return;
      }
      if (log.isDebugEnabled()) {
        SSLSession s = backend.tls.engine().getSession();
        log.debug("{}: backend TLS established: {} {}", tag, s.getProtocol(), s.getCipherSuite());
      }
      enterRelay();
      return;
    }
    if (p == Leg.Progress.ENDED) {
      backendFailed(Refusal.BACKEND_TLS, ErrorResponse.CONNECTION_FAILURE, "backend " + route.backend()
          + " closed the connection during the TLS handshake",
          route.backendDirectTls() ? "direct_tls needs PostgreSQL 17 or newer; older servers close a connection "
              + "that starts with a TLS ClientHello." : null);
    }
  }

  private void enterRelay() {
    cancelDeadline();
    state = ConnectionState.RELAYING;
    route.counters().backendConnected(System.nanoTime() - phaseStartNanos);
    if (purpose == Purpose.SESSION) {
      route.counters().sessionStarted();
      lastActivityNanos = System.nanoTime();
      Duration idle = route.idleTimeout();
      if (!idle.isZero()) {
        idleTimer = loop.schedule(idle.toNanos(), this::checkIdle);
      }
      log.info("{}: session user={} database={}{} -> backend {} ({})", tag, user, database,
          clientSni.isEmpty() ? "" : " sni=" + clientSni, address(backendAddress),
          backend.isTls() ? backend.tls.engine().getSession().getProtocol() : "plaintext");
      if (backend.isTls() && client.isTls() && !Certificates.sameEndPoint(client.tls.engine().getSession(),
          backend.tls.engine().getSession())) {
        // SCRAM-SHA-256-PLUS binds to the certificate the client saw; the backend checks its own.
        scramWatch = new ScramPlusWatch(startupLength);
        route.warnOnceAboutChannelBinding();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // RELAYING

  private void relay() throws IOException {
    if (purpose == Purpose.CANCEL) {
      activeLeg = backend;
      if (backend.drain(c2b) == Leg.Progress.DONE) {
        closeGracefully("cancel request forwarded");
      }
      return;
    }
    boolean budgetLeft = pump(client, backend, c2b, true);
    if (state != ConnectionState.RELAYING) {
      return; // the client-to-backend pump refused the session
    }
    budgetLeft &= pump(backend, client, b2c, false);
    // Half-close: a side that has finished sending is finished toward the other side too, once
    // everything it sent has been delivered.
    if (client.inputEnded && c2b.isEmpty() && !backend.outputShut && backend.task == Leg.TaskState.IDLE) {
      activeLeg = backend;
      backend.finishShutdown();
    }
    if (backend.inputEnded && b2c.isEmpty() && !client.outputShut && client.task == Leg.TaskState.IDLE) {
      activeLeg = client;
      client.finishShutdown();
    }
    if (client.inputEnded && backend.inputEnded && client.outputShut && backend.outputShut
        && !client.hasPendingOutput() && !backend.hasPendingOutput()) {
      closeNow(client.closeNotifyReceived || backend.closeNotifyReceived ? "session ended" : "session ended (no close_notify)");
      return;
    }
    if ((client.inputEnded || backend.inputEnded) && deadline == null) {
      resetDeadline(HALF_CLOSE_LINGER, "the other side to finish after one side closed");
    }
    if (!budgetLeft && !rerunScheduled) {
      rerunScheduled = true;
      loop.execute(this::run); // yield: other connections on this loop get their turn first
    }
  }

  /** Moves data from {@code from} to {@code to} until blocked; false if the budget ran out first. */
  private boolean pump(Leg from, Leg to, PooledBuffer buf, boolean clientToBackend) throws IOException {
    for (int i = 0; i < RELAY_BUDGET; i++) {
      if (from.task == Leg.TaskState.RUNNING || to.task == Leg.TaskState.RUNNING) {
        return true;
      }
      if (!buf.isEmpty() || to.hasPendingOutput()) {
        activeLeg = to;
        Leg.Progress d = clientToBackend && scramWatch != null ? drainWatched(to, buf) : to.drain(buf);
        if (state != ConnectionState.RELAYING) {
          return true; // refused by the watch
        }
        if (d == Leg.Progress.NEEDS_TASK) {
          runTasks(to);
          return true;
        }
        if (d != Leg.Progress.DONE) {
          return true; // backpressure: do not read more from `from` until `to` takes this
        }
      }
      if (from.inputEnded) {
        return true;
      }
      activeLeg = from;
      int before = buf.size();
      Leg.Progress f = from.fill(buf);
      int produced = buf.size() - before;
      if (produced > 0) {
        countRelayed(clientToBackend, produced);
      }
      switch (f) {
        case DONE:
        case DESTINATION_FULL:
          continue;
        case NEEDS_TASK:
          runTasks(from);
          return true;
        case ENDED:
          log.debug("{}: {} finished sending ({})", tag, from.side, from.closeNotifyReceived ? "close_notify" : "EOF");
          return true;
        default:
          return true;
      }
    }
    return false;
  }

  /** Counts relayed plaintext; reads the clock only for a route with an idle timeout. */
  private void countRelayed(boolean clientToBackend, int bytes) {
    if (clientToBackend) {
      bytesClientToBackend += bytes;
      route.counters().relayedClientToBackend(bytes);
    } else {
      bytesBackendToClient += bytes;
      route.counters().relayedBackendToClient(bytes);
    }
    if (idleTimer != null) {
      lastActivityNanos = System.nanoTime();
    }
  }

  /**
   * Forwards only what {@link ScramPlusWatch} has judged: a SASLInitialResponse is held back until
   * its mechanism name has arrived. Held bytes go back into the buffer after the forwarded ones,
   * so the order is kept.
   */
  private Leg.Progress drainWatched(Leg to, PooledBuffer buf) throws IOException {
    ByteBuffer view = buf.peek() == null ? ByteBuffer.allocate(0) : buf.peek().duplicate().flip();
    int allowed = scramWatch.forwardable(view);
    if (scramWatch.verdict() == ScramPlusWatch.Verdict.REFUSE) {
      refuseChannelBinding();
      return Leg.Progress.DONE;
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

  /** The client chose SCRAM-SHA-256-PLUS where the binding cannot match: say so and why. */
  private void refuseChannelBinding() throws IOException {
    String message = "SCRAM channel binding cannot pass pgtls route '" + route.name()
        + "': the client bound to pgtls's certificate, and backend " + route.backend() + " presents a different one";
    String hint = "Give this route the backend's own certificate and key (listener server_cert/server_key), "
        + "use a plaintext backend leg (tls_enabled = false), or connect with channel_binding=disable "
        + "(libpq) / channelBinding=disable (pgjdbc).";
    log.warn("{}: refused SCRAM-SHA-256-PLUS (user={}): {}. {}", tag, user, message, hint);
    scramWatch = null;
    closeLeg(backend);
    backend = null;
    refuseTls(Refusal.CHANNEL_BINDING, ErrorResponse.INVALID_AUTHORIZATION_SPECIFICATION, message, hint);
  }

  // ---------------------------------------------------------------------------------------------
  // Refusals, failures and closing

  /** Sends a FATAL ErrorResponse in plaintext (before any TLS) and closes. */
  private void refusePlain(Refusal reason, String sqlstate, String message, String detail, String hint) throws IOException {
    route.counters().refused(reason);
    client.netIn.release();
    client.queueRaw(ErrorResponse.fatal(sqlstate, message, detail, hint));
    closeGracefully("refused: " + message);
  }

  /** Sends a FATAL ErrorResponse inside the client's TLS session and closes. */
  private void refuseTls(Refusal reason, String sqlstate, String message, String hint) throws IOException {
    refuseTls(reason, sqlstate, message, null, hint);
  }

  private void refuseTls(Refusal reason, String sqlstate, String message, String detail, String hint)
      throws IOException {
    route.counters().refused(reason);
    c2b.release();
    b2c.release();
    ByteBuffer b = b2c.prepare();
    b.put(ErrorResponse.fatal(sqlstate, message, detail, hint));
    activeLeg = client;
    client.drain(b2c);
    closeGracefully("refused: " + message);
  }

  /**
   * The backend could not be reached, negotiated with or verified. The client (still in its TLS
   * session, before any backend byte reached it) gets a FATAL naming the backend and the reason.
   */
  private void backendFailed(Refusal reason, String sqlstate, String message, String hint) {
    log.warn("{}: {} (route '{}')", tag, message, route.name());
    route.counters().backendConnectFailed();
    if (backend != null) {
      closeLeg(backend);
      backend = null;
    }
    if (purpose == Purpose.CANCEL) {
      route.counters().refused(reason);
      closeNow("cancel not forwarded: " + message);
      return;
    }
    try {
      refuseTls(reason, sqlstate, message, hint);
    } catch (IOException e) {
      closeNow("client gone while reporting: " + message);
    }
  }

  /** Flush what is owed to each side, send close_notify and FIN, wait briefly for EOF, close. */
  private void closeGracefully(String reason) throws IOException {
    closeReason = reason;
    state = ConnectionState.CLOSING;
    resetDeadline(CLOSE_LINGER, "peers to close");
    closing();
  }

  private String closeReason;

  private void closing() throws IOException {
    boolean done = true;
    for (Leg leg : new Leg[] {client, backend}) {
      if (leg == null || !leg.socket.isOpen()) {
        continue;
      }
      activeLeg = leg;
      if (!leg.finishShutdown()) {
        done = false;
        continue;
      }
      // Discard whatever the peer still sends until its EOF. Closing with unread bytes in the
      // kernel's receive buffer makes Linux send RST, and an RST can destroy our ErrorResponse in
      // flight before the client reads it (psql would show "connection reset" instead).
      while (!leg.inputEnded && leg.readReady) {
        int n = leg.readRaw();
        leg.netIn.release();
        if (n < 0) {
          leg.inputEnded = true;
        }
      }
      if (!leg.inputEnded) {
        done = false;
      }
    }
    if (done) {
      closeNow(closeReason);
    }
  }

  private void fail(Throwable e) {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    String side = activeLeg == null ? "connection" : activeLeg.side;
    if (e instanceof IOException) {
      log.info("{}: {} I/O error in {}: {}", tag, side, state, e.toString());
    } else {
      log.error("{}: internal error in {} ({})", tag, state, this, e);
    }
    closeNow(side + " error: " + e.getMessage());
  }

  /** Closes both sockets now and returns every buffer; logs one summary line. */
  void closeNow(String reason) {
    if (state == ConnectionState.CLOSED) {
      return;
    }
    ConnectionState was = state;
    state = ConnectionState.CLOSED;
    cancelDeadline();
    closeLeg(client);
    if (backend != null) {
      closeLeg(backend);
    }
    c2b.release();
    b2c.release();
    if (holdsSessionSlots) {
      holdsSessionSlots = false;
      route.releaseSession();
    }
    if (idleTimer != null) {
      idleTimer.cancel();
    }
    group.connectionClosed();
    route.counters().closed();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acceptedNanos);
    if (was == ConnectionState.RELAYING || was == ConnectionState.CLOSING && purpose == Purpose.SESSION && backend != null) {
      log.info("{}: closed after {} ms: {}; bytes client->backend={} backend->client={}", tag, millis, reason,
          bytesClientToBackend, bytesBackendToClient);
    } else {
      log.debug("{}: closed after {} ms in {}: {}", tag, millis, was, reason);
    }
  }

  private void closeLeg(Leg leg) {
    if (leg.key != null) {
      leg.key.cancel();
      loop.deregistered();
      leg.key = null;
    }
    closeQuietly(leg.socket);
    leg.releaseBuffers();
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // nothing to do: the socket is going away either way
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Interest, tasks, timers

  private void updateInterest() {
    setInterest(client, interestOf(client, backend, c2b, b2c));
    if (backend != null) {
      if (state == ConnectionState.BACKEND_CONNECTING) {
        setInterest(backend, SelectionKey.OP_CONNECT);
      } else {
        setInterest(backend, interestOf(backend, client, b2c, c2b));
      }
    }
  }

  /**
   * What {@code leg} waits for: OP_WRITE while it has bytes queued for its socket, OP_READ while
   * the state wants its input and the other side has taken everything already read from it.
   */
  private int interestOf(Leg leg, Leg other, PooledBuffer outOfLeg, PooledBuffer intoLeg) {
    if (leg.key == null || leg.task == Leg.TaskState.RUNNING) {
      return 0;
    }
    int ops = 0;
    if (leg.hasPendingOutput() || (!leg.isTls() && !intoLeg.isEmpty() && state == ConnectionState.RELAYING)) {
      ops |= SelectionKey.OP_WRITE;
    }
    if (!leg.inputEnded && wantsInput(leg, other, outOfLeg)) {
      ops |= SelectionKey.OP_READ;
    }
    return ops;
  }

  private boolean wantsInput(Leg leg, Leg other, PooledBuffer outOfLeg) {
    boolean isClient = leg == client;
    switch (state) {
      case NEGOTIATING:
      case CLIENT_HANDSHAKE:
      case AWAIT_STARTUP:
        return isClient;
      case BACKEND_NEGOTIATING:
      case BACKEND_HANDSHAKE:
        return !isClient;
      case RELAYING:
        if (leg == client && scramWatch != null && (other == null || !other.hasPendingOutput())) {
          return true; // bytes held for the SCRAM check need the rest of their message
        }
        return outOfLeg.isEmpty() && (other == null || !other.hasPendingOutput());
      case CLOSING:
        return true;
      default:
        return false;
    }
  }

  private void setInterest(Leg leg, int ops) {
    if (leg.key != null && leg.key.isValid() && leg.key.interestOps() != ops) {
      leg.key.interestOps(ops);
    }
  }

  /** Runs the leg's SSLEngine delegated tasks on a worker, then resumes on the loop. */
  private void runTasks(Leg leg) {
    leg.task = Leg.TaskState.RUNNING;
    Runnable tasks = leg.tls.delegatedTasks();
    try {
      group.workers().execute(() -> {
        try {
          tasks.run();
        } finally {
          loop.execute(() -> {
            leg.task = Leg.TaskState.IDLE;
            run();
          });
        }
      });
    } catch (RejectedExecutionException e) {
      closeNow("proxy shutting down");
    }
  }

  /** Closes a relayed session that moved no byte for the route's idle timeout; else checks again later. */
  private void checkIdle() {
    idleTimer = null;
    if (state != ConnectionState.RELAYING) {
      return;
    }
    long timeout = route.idleTimeout().toNanos();
    long idle = System.nanoTime() - lastActivityNanos;
    if (idle < timeout) {
      idleTimer = loop.schedule(timeout - idle, this::checkIdle);
      return;
    }
    log.info("{}: idle for {} s; closing (idle_timeout)", tag, TimeUnit.NANOSECONDS.toSeconds(idle));
    try {
      closeGracefully("idle timeout");
      if (state != ConnectionState.CLOSED) {
        updateInterest();
      }
    } catch (Exception e) {
      fail(e);
    }
  }

  private void resetDeadline(Duration after, String what) {
    cancelDeadline();
    deadlineWhat = what;
    ConnectionState at = state;
    deadline = loop.schedule(after.toNanos(), () -> onDeadline(at, after));
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }

  private void onDeadline(ConnectionState at, Duration after) {
    deadline = null;
    if (state == ConnectionState.CLOSED) {
      return;
    }
    String what = deadlineWhat;
    try {
      switch (state) {
        case BACKEND_CONNECTING:
          backendFailed(Refusal.BACKEND_UNAVAILABLE, ErrorResponse.CONNECTION_FAILURE, "could not connect to backend " + route.backend()
              + " within " + after.toMillis() + " ms", "Is the PostgreSQL server of route '" + route.name()
              + "' reachable from pgtls? (connect_timeout)");
          break;
        case BACKEND_NEGOTIATING:
        case BACKEND_HANDSHAKE:
          backendFailed(Refusal.BACKEND_TLS, ErrorResponse.CONNECTION_FAILURE, "backend " + route.backend()
              + " did not complete the TLS handshake within " + after.toMillis() + " ms",
              "Is it a PostgreSQL server with ssl=on? (handshake_timeout)");
          break;
        case AWAIT_STARTUP:
          log.info("{}: timeout after {} ms {}", tag, after.toMillis(), what);
          route.counters().refused(Refusal.STARTUP_TIMEOUT);
          closeGracefully("startup timeout");
          break;
        case NEGOTIATING:
          log.info("{}: timeout after {} ms {}", tag, after.toMillis(), what);
          route.counters().refused(Refusal.STARTUP_TIMEOUT);
          closeNow("startup timeout");
          break;
        case CLIENT_HANDSHAKE:
          log.info("{}: timeout after {} ms {}", tag, after.toMillis(), what);
          route.counters().clientHandshakeFailed("timeout");
          route.counters().refused(Refusal.CLIENT_TLS);
          closeNow("client TLS handshake timeout");
          break;
        case CLOSING:
          closeNow(closeReason == null ? "closed" : closeReason);
          break;
        default:
          log.info("{}: timeout after {} ms {} (in {})", tag, after.toMillis(), what, state);
          closeNow("timeout " + what);
      }
      if (state != ConnectionState.CLOSED) {
        updateInterest();
      }
    } catch (Exception e) {
      fail(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static FirstPacket peekRaw(PooledBuffer buf) {
    ByteBuffer b = buf.peek();
    if (b == null) {
      return FirstPacket.peek(ByteBuffer.allocate(0));
    }
    return FirstPacket.peek(b.duplicate().flip());
  }

  private static void consume(PooledBuffer buf, int n) {
    buf.consume(b -> b.position(b.position() + n));
    buf.releaseIfEmpty();
  }

  /** Moves everything buffered in {@code from} (and only that) into {@code to}, in order. */
  private static void moveAllTo(PooledBuffer from, PooledBuffer to) {
    from.consume(b -> to.prepare().put(b));
    from.releaseIfEmpty();
  }

  /** Keeps exactly the first packet ({@code length} bytes) in {@code buf}, dropping anything after it. */
  private void takePacket(PooledBuffer from, int length) {
    ByteBuffer src = from.peek().duplicate().flip();
    src.limit(length);
    if (from == c2b) {
      from.truncate(length);
      return;
    }
    c2b.prepare().put(src);
    from.release();
  }

  private static String peerSubject(SSLSession s) {
    try {
      return " client-cert=" + ((java.security.cert.X509Certificate) s.getPeerCertificates()[0]).getSubjectX500Principal().getName();
    } catch (Exception e) {
      return "";
    }
  }

  private static SocketAddress remote(SocketChannel ch) {
    try {
      return ch.getRemoteAddress();
    } catch (IOException e) {
      return null;
    }
  }

  private static String address(SocketAddress a) {
    if (!(a instanceof InetSocketAddress)) {
      return String.valueOf(a);
    }
    InetSocketAddress i = (InetSocketAddress) a;
    String host = i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + i.getPort();
  }

  @Override
  public String toString() {
    return "ProxyConnection[" + route.name() + "#" + id + " " + state + " " + client
        + (backend == null ? "" : " " + backend) + " " + c2b + " " + b2c + " bytes=" + bytesClientToBackend + "/"
        + bytesBackendToClient + "]";
  }

  /** The attachment of one leg's selection key. */
  private final class Handler implements Selectable {
    private final Leg leg;

    Handler(Leg leg) {
      this.leg = leg;
    }

    @Override
    public void onReady(int readyOps) {
      if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
        onConnectable();
      }
      if ((readyOps & SelectionKey.OP_READ) != 0) {
        leg.readReady = true;
      }
      run();
    }

    @Override
    public void onFailure(Throwable cause) {
      fail(cause);
    }

    @Override
    public void onLoopShutdown() {
      closeNow("proxy shutting down");
    }

    @Override
    public String toString() {
      return ProxyConnection.this.toString();
    }
  }
}
