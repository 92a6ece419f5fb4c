package io.pgtls.internal.conn;

import io.pgtls.HostPort;
import io.pgtls.ProxyProtocol;
import io.pgtls.internal.proxy.ProxyHeaderWriter;
import io.pgtls.internal.limit.PendingSlot;
import io.pgtls.internal.limit.Source;
import io.pgtls.internal.limit.SourceLimits;
import io.pgtls.internal.proxy.ProxyHeader;
import java.net.InetAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Who the client is and what it counts against: its TCP peer; its real address, which is the
 * PROXY protocol header's where a trusted balancer sent one, else the peer; the header itself;
 * its handle in the per-address limits; and the place among pending connections it holds until
 * its session reaches the backend. Owned by the driver; {@link #close()} gives everything back.
 */
final class ClientSource {
  private final InetSocketAddress peer;
  /** The address the client connected to (pgtls's listening address, or the balancer's). */
  private final InetSocketAddress local;
  private InetSocketAddress client;
  private ProxyHeader.Info header;
  private Source handle;
  private PendingSlot pending;
  private SourceLimits limits;

  ClientSource(InetSocketAddress peer, InetSocketAddress local) {
    this.peer = peer;
    this.local = local;
  }

  /**
   * The PROXY protocol header that tells a backend-side proxy who the client is: the real client
   * and the address it connected to (the balancer's header's destination, where there was one).
   */
  byte[] outboundHeader(ProxyProtocol.Versions version) {
    InetSocketAddress destination = header != null && header.destination() != null ? header.destination() : local;
    InetSocketAddress from = address().getAddress().isAnyLocalAddress() ? null : address();
    return version == ProxyProtocol.Versions.V1 ? ProxyHeaderWriter.v1(from, destination)
        : ProxyHeaderWriter.v2(from, destination);
  }

  /** The source of an accepted socket, its TCP peer the client until a header says otherwise. */
  static ClientSource of(SocketChannel socket) {
    // An unspecified peer when the socket is already gone: it closes at once.
    SocketAddress peer = SocketTransport.remoteAddress(socket);
    SocketAddress local;
    try {
      local = socket.getLocalAddress();
    } catch (IOException e) {
      local = null;
    }
    return new ClientSource(peer instanceof InetSocketAddress ? (InetSocketAddress) peer : new InetSocketAddress(0),
        local instanceof InetSocketAddress ? (InetSocketAddress) local : null);
  }

  /** Takes a place among pending connections; false when the proxy-wide cap is reached. */
  boolean enterPending(SourceLimits limits) {
    pending = limits.tryEnterPending();
    return pending.acquired();
  }

  /** The client's startup and TLS handshake are done: no longer pending. */
  void leavePending() {
    if (pending != null) {
      pending.release();
    }
  }

  /**
   * The real client is known: {@code address} (null: the peer itself), from {@code header} (null:
   * none). Counts the connection against its address; false when the address is over its
   * handshake rate.
   */
  boolean known(InetSocketAddress address, ProxyHeader.Info header, SourceLimits limits) {
    this.client = address != null ? address : peer;
    this.header = header;
    this.limits = limits;
    this.handle = limits.open(this.client.getAddress());
    return handle.tryHandshake();
  }

  /** Whether the address may forward one more CancelRequest now. */
  boolean tryCancel() {
    return handle.tryCancel();
  }

  /** Whether a session may open, under the per-address connection limit; counts a refusal if not. */
  boolean admitSession() {
    return handle.admitSession();
  }

  /** The per-address connection limit this source counts against (0: none). */
  int maxConnections() {
    return limits.settings().maxConnectionsPerSource();
  }

  /** The connections open from the client's address. */
  int connections() {
    return handle.connections();
  }

  /** The real client's address (the peer's until a header says otherwise). */
  InetSocketAddress address() {
    return client != null ? client : peer;
  }

  InetAddress ip() {
    return address().getAddress();
  }

  InetSocketAddress peer() {
    return peer;
  }

  /** The PROXY protocol header, or null. */
  ProxyHeader.Info header() {
    return header;
  }

  /** For log lines: {@code client=203.0.113.7:51234}, with {@code via=10.0.0.5:40000} behind a balancer. */
  String describe() {
    String self = "client=" + HostPort.format(address());
    return header == null ? self : self + " via=" + HostPort.format(peer);
  }

  void close() {
    leavePending();
    if (handle != null) {
      handle.close();
    }
  }

  @Override
  public String toString() {
    return describe() + (pending != null && pending.acquired() ? " pending" : "");
  }
}
