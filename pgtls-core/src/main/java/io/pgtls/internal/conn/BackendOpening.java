package io.pgtls.internal.conn;

import io.pgtls.HostPort;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.pg.StartupCodes;
import io.pgtls.internal.route.CompiledRoute;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The backend's side of opening: resolve its host (BACKEND_CONNECTING), connect each address in
 * turn (a Unix-domain socket is one address, with no DNS), send the SSLRequest and read the one-byte answer (BACKEND_NEGOTIATING), and handshake
 * (BACKEND_HANDSHAKE). Ends with the backend leg ready, or with a failure the client is told of.
 */
final class BackendOpening implements Stage {
  /** Opens backend legs for this stage: a connecting socket registered for OP_CONNECT, in production. */
  interface Connector {
    /**
     * Starts connecting to {@code target}, an {@link InetSocketAddress} or a {@link
     * java.net.UnixDomainSocketAddress}; the leg is the connection's backend from now on.
     */
    Leg open(SocketAddress target) throws IOException;

    /** Closes a leg that failed to connect; the connection has no backend leg again. */
    void discard(Leg leg);
  }

  private final ConnectionLog log;
  private final CompiledRoute route;
  private final HostPort backendAddress;
  private final Connector connector;
  /** Where the backend's handshake bytes go; they are TLS records, never plaintext for the client. */
  private final PooledBuffer b2c;
  private final byte[] proxyHeader;
  private InetAddress[] addresses;
  private int nextAddress;
  private String lastConnectError;
  private SocketAddress target;
  private Leg backend;
  private long startNanos;
  private boolean handshakeClockStarted;
  private long deadline = NO_DEADLINE;
  private UnknownHostException resolveError;
  private boolean resolved;

  /**
   * @param proxyHeader a PROXY protocol header to send the backend before anything else, or null
   */
  BackendOpening(ConnectionLog log, CompiledRoute route, Connector connector, PooledBuffer b2c, byte[] proxyHeader) {
    this.proxyHeader = proxyHeader;
    this.log = log;
    this.route = route;
    this.backendAddress = route.backend();
    this.connector = connector;
    this.b2c = b2c;
  }

  /** The host to resolve off the loop; null for an IP literal or a Unix-domain socket, which need no DNS query. */
  String hostToResolve() {
    return backendAddress.isIpLiteral() || backendAddress.isUnixSocket() ? null : backendAddress.host();
  }

  /** The resolver's answer, delivered on the loop; the next step acts on it. */
  void resolved(InetAddress[] result, UnknownHostException error) {
    this.addresses = result;
    this.resolveError = error;
    this.resolved = true;
  }

  /** Where the backend leg is connected (for the session's log line): an IP address and port, or a socket path. */
  SocketAddress address() {
    return target;
  }

  @Override
  public void enter(ConnectionState state, long nowNanos) {
    switch (state) {
      case BACKEND_CONNECTING:
        startNanos = nowNanos;
        deadline = nowNanos + route.connectTimeout().toNanos();
        break;
      case BACKEND_NEGOTIATING:
      case BACKEND_HANDSHAKE:
        // One handshake_timeout covers the SSLRequest's answer and the handshake after it.
        if (!handshakeClockStarted) {
          handshakeClockStarted = true;
          deadline = nowNanos + route.handshakeTimeout().toNanos();
        }
        break;
      default:
        throw new IllegalStateException("BackendOpening does not serve " + state);
    }
  }

  @Override
  public Outcome step(ConnectionState state) throws IOException {
    switch (state) {
      case BACKEND_CONNECTING:
        return connect();
      case BACKEND_NEGOTIATING:
        return negotiate();
      case BACKEND_HANDSHAKE:
        return handshake();
      default:
        throw new IllegalStateException("BackendOpening does not serve " + state);
    }
  }

  @Override
  public boolean wantsInput(ConnectionState state, Leg leg) {
    return leg == backend && state != ConnectionState.BACKEND_CONNECTING;
  }

  @Override
  public boolean awaitsConnect(ConnectionState state, Leg leg) {
    return leg == backend && state == ConnectionState.BACKEND_CONNECTING;
  }

  @Override
  public long deadline() {
    return deadline;
  }

  @Override
  public Outcome onDeadline(ConnectionState state) {
    if (state == ConnectionState.BACKEND_CONNECTING) {
      return Outcome.refuse(Refusals.backendConnectTimeout(route.name(), backendAddress,
          TimeUnit.NANOSECONDS.toMillis(route.connectTimeout().toNanos())));
    }
    return Outcome.refuse(Refusals.backendHandshakeTimeout(route.name(), backendAddress,
        TimeUnit.NANOSECONDS.toMillis(route.handshakeTimeout().toNanos())));
  }

  // ---------------------------------------------------------------------------------------------
  // BACKEND_CONNECTING

  private Outcome connect() throws IOException {
    if (backendAddress.isUnixSocket()) {
      return connectUnixSocket();
    }
    if (!resolved) {
      String host = hostToResolve();
      if (host != null) {
        return Outcome.RESOLVE; // DNS: never on a loop thread
      }
      try {
        resolved(InetAddress.getAllByName(backendAddress.host()), null); // a literal: no DNS query
      } catch (UnknownHostException e) {
        resolved(null, e);
      }
    }
    if (resolveError != null || addresses == null || addresses.length == 0) {
      return Outcome.refuse(Refusals.backendUnresolvable(route.name(), backendAddress));
    }
    while (true) {
      if (backend == null && !openNextAddress()) {
        return Outcome.refuse(Refusals.backendUnreachable(route.name(), backendAddress, lastConnectError));
      }
      boolean connected;
      try {
        connected = backend.wire().finishConnect();
      } catch (LegIOException e) {
        connectFailed(e.failure());
        continue;
      }
      return connected ? connected() : Outcome.WAIT;
    }
  }

  /** A Unix-domain socket is one address: its file path, which a failure names (ENOENT, ECONNREFUSED). */
  private Outcome connectUnixSocket() throws IOException {
    if (backend == null) {
      target = backendAddress.toUnixDomainAddress();
      try {
        backend = connector.open(target);
      } catch (IOException e) {
        connectFailed(e);
        return Outcome.refuse(Refusals.backendUnreachable(route.name(), backendAddress, lastConnectError));
      }
    }
    try {
      return backend.wire().finishConnect() ? connected() : Outcome.WAIT;
    } catch (LegIOException e) {
      connectFailed(e.failure());
      return Outcome.refuse(Refusals.backendUnreachable(route.name(), backendAddress, lastConnectError));
    }
  }

  /** Starts connecting to the next address; false when none is left. */
  private boolean openNextAddress() {
    while (nextAddress < addresses.length) {
      target = new InetSocketAddress(addresses[nextAddress++], backendAddress.port());
      try {
        backend = connector.open(target);
        return true;
      } catch (IOException e) {
        connectFailed(e);
      }
    }
    return false;
  }

  private void connectFailed(IOException e) {
    lastConnectError = e.getMessage();
    log.debug("connecting to backend {} failed: {}", target, e.toString());
    if (backend != null) {
      connector.discard(backend);
      backend = null;
    }
  }

  private Outcome connected() throws IOException {
    log.debug("connected to backend {}", target);
    if (proxyHeader != null) {
      // Before the SSLRequest or the ClientHello: a PROXY-aware peer reads it first and takes the
      // rest as the client's bytes.
      backend.wire().queue(proxyHeader);
    }
    if (route.backendTlsEnabled() && route.backendDirectTls()) {
      // PostgreSQL 17+ direct TLS: the ClientHello goes first, saving the SSLRequest round trip.
      backend.startTls(route.newBackendSession());
      return Outcome.advance(ConnectionState.BACKEND_HANDSHAKE);
    }
    if (route.backendTlsEnabled()) {
      backend.wire().queue(StartupCodes.sslRequest());
      backend.wire().flush();
      return Outcome.advance(ConnectionState.BACKEND_NEGOTIATING);
    }
    return ready();
  }

  private Outcome ready() {
    route.counters().backendConnected(System.nanoTime() - startNanos);
    return Outcome.BACKEND_READY;
  }

  // ---------------------------------------------------------------------------------------------
  // BACKEND_NEGOTIATING

  private Outcome negotiate() throws IOException {
    backend.wire().flush();
    if (backend.wire().readIfReady() < 0 && !backend.wire().hasInput()) {
      return Outcome.refuse(Refusals.backendClosedOnSslRequest(route.name(), backendAddress));
    }
    if (!backend.wire().hasInput()) {
      return Outcome.WAIT;
    }
    ByteBuffer in = backend.wire().input();
    byte answer = in.get(in.position());
    switch (answer) {
      case 'S':
        if (in.remaining() > 1) {
          // CVE-2021-23222: a ServerHello cannot legitimately arrive before our ClientHello, so
          // bytes behind the 'S' were injected by someone on the path.
          log.warn("backend {} sent unencrypted data after 'S'; refusing (possible man-in-the-middle)", target);
          return Outcome.refuse(Refusals.backendDataAfterS(route.name(), backendAddress));
        }
        backend.wire().skip(1);
        backend.startTls(route.newBackendSession());
        return Outcome.advance(ConnectionState.BACKEND_HANDSHAKE);
      case 'N':
        return Outcome.refuse(Refusals.backendRefusedTls(route.name(), backendAddress));
      case 'E':
        return Outcome.refuse(Refusals.backendErrorOnSslRequest(route.name(), backendAddress));
      default:
        return Outcome.refuse(Refusals.backendUnexpectedAnswer(route.name(), backendAddress, answer));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // BACKEND_HANDSHAKE

  private Outcome handshake() throws IOException {
    if (backend.taskRunning()) {
      return Outcome.WAIT;
    }
    Leg.Progress p;
    try {
      p = backend.fill(b2c);
    } catch (LegIOException e) {
      if (e.failure() instanceof SSLException) {
        return Outcome.refuse(Refusals.backendHandshakeFailed(route.name(), backendAddress,
            HandshakeFailures.backend((SSLException) e.failure(), route.backendServerName())));
      }
      throw e;
    }
    if (p == Leg.Progress.NEEDS_TASK) {
      return Outcome.runTasks(backend);
    }
    if (backend.handshakeComplete()) {
      if (route.backendDirectTls() && !"postgresql".equals(backend.tls().applicationProtocol())) {
        return Outcome.refuse(Refusals.backendWithoutAlpn(route.name(), backendAddress));
      }
      if (log.isDebugEnabled()) {
        log.debug("backend TLS established: {} {}", backend.tls().protocol(), backend.tls().cipherSuite());
      }
      return ready();
    }
    if (p == Leg.Progress.ENDED) {
      return Outcome.refuse(Refusals.backendClosedDuringHandshake(route.name(), backendAddress,
          route.backendDirectTls()));
    }
    return Outcome.WAIT;
  }

  @Override
  public String toString() {
    return "BackendOpening[" + (target == null ? backendAddress : HostPort.format(target)) + "]";
  }
}
