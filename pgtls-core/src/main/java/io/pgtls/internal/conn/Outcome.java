package io.pgtls.internal.conn;

import io.pgtls.internal.proxy.ProxyHeader;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.ServerNames;

/**
 * What one step of a stage achieved; the driver ({@link ProxyConnection}) acts on it. Stages never
 * call the driver or each other: they return one of these.
 */
final class Outcome {
  enum Kind {
    /** No more progress until an event (readable, writable, connected, a task, a timer). */
    WAIT,
    /** The stage moved on to {@link #state()}, a state it also serves; step again. */
    ADVANCE,
    /** {@link #leg()}'s delegated tasks must run off the loop before anything else on it. */
    RUN_TASKS,
    /** The backend's host name must be resolved off the loop; the answer comes back as an event. */
    RESOLVE,
    /** The route is chosen: {@link #route()}, matched as {@link #match()}; step again. */
    ROUTED,
    /** The PROXY protocol header is read: {@link #header()}; the client's first packet is next. */
    PROXY_HEADER,
    /** The client's first message is known: {@link #request()}. */
    CLIENT_READY,
    /** The backend leg is connected, negotiated and (if TLS) handshaken. */
    BACKEND_READY,
    /** Refuse the client (or, for a cancel, drop it) as {@link #rejection()} says. */
    REFUSE,
    /**
     * Flush what is owed, close both legs cleanly, then close: {@link #reason()}; when the stage
     * ended the session with its own FATAL, {@link #rejection()} says which (to log and count).
     */
    CLOSE_GRACEFULLY,
    /** Close both legs at once: {@link #reason()}. */
    CLOSE_NOW,
    /** Work is left, but other connections on the loop get a turn first. */
    YIELD
  }

  static final Outcome WAIT = new Outcome(Kind.WAIT, null, null, null, null, null);
  static final Outcome BACKEND_READY = new Outcome(Kind.BACKEND_READY, null, null, null, null, null);
  static final Outcome YIELD = new Outcome(Kind.YIELD, null, null, null, null, null);
  static final Outcome RESOLVE = new Outcome(Kind.RESOLVE, null, null, null, null, null);

  private final Kind kind;
  private final ConnectionState state;
  private final Leg leg;
  private final SessionRequest request;
  private final Rejection rejection;
  private final String reason;
  private final CompiledRoute route;
  private final ServerNames.Kind match;
  private final String serverName;
  private boolean clientLeft;
  /** Set only for {@link Kind#PROXY_HEADER}. */
  private ProxyHeader.Info header;

  private Outcome(Kind kind, ConnectionState state, Leg leg, SessionRequest request, Rejection rejection,
      String reason) {
    this(kind, state, leg, request, rejection, reason, null, null, null);
  }

  private Outcome(Kind kind, ConnectionState state, Leg leg, SessionRequest request, Rejection rejection,
      String reason, CompiledRoute route, ServerNames.Kind match, String serverName) {
    this.route = route;
    this.match = match;
    this.serverName = serverName;
    this.kind = kind;
    this.state = state;
    this.leg = leg;
    this.request = request;
    this.rejection = rejection;
    this.reason = reason;
  }

  static Outcome advance(ConnectionState state) {
    return new Outcome(Kind.ADVANCE, state, null, null, null, null);
  }

  static Outcome runTasks(Leg leg) {
    return new Outcome(Kind.RUN_TASKS, null, leg, null, null, null);
  }

  /** The route for a client that asked for {@code serverName} (null: none), matched as {@code match}. */
  static Outcome routed(CompiledRoute route, ServerNames.Kind match, String serverName) {
    return new Outcome(Kind.ROUTED, null, null, null, null, null, route, match, serverName);
  }

  static Outcome proxyHeader(ProxyHeader.Info header) {
    Outcome o = new Outcome(Kind.PROXY_HEADER, null, null, null, null, null);
    o.header = header;
    return o;
  }

  static Outcome clientReady(SessionRequest request) {
    return new Outcome(Kind.CLIENT_READY, null, null, request, null, null);
  }

  static Outcome refuse(Rejection rejection) {
    return new Outcome(Kind.REFUSE, null, null, null, rejection, null);
  }

  static Outcome closeGracefully(String reason) {
    return new Outcome(Kind.CLOSE_GRACEFULLY, null, null, null, null, reason);
  }

  /** {@link Kind#CLOSE_GRACEFULLY} after the stage told the client {@code told} (a drained session). */
  static Outcome closeGracefully(String reason, Rejection told) {
    return new Outcome(Kind.CLOSE_GRACEFULLY, null, null, null, told, reason);
  }

  static Outcome closeNow(String reason) {
    return new Outcome(Kind.CLOSE_NOW, null, null, null, null, reason);
  }

  /** {@link Kind#CLOSE_NOW} because the client closed its connection (for the audit event's closed_by). */
  static Outcome clientLeft(String reason) {
    Outcome o = closeNow(reason);
    o.clientLeft = true;
    return o;
  }

  boolean clientLeft() {
    return clientLeft;
  }

  ProxyHeader.Info header() {
    return header;
  }

  Kind kind() {
    return kind;
  }

  ConnectionState state() {
    return state;
  }

  Leg leg() {
    return leg;
  }

  SessionRequest request() {
    return request;
  }

  CompiledRoute route() {
    return route;
  }

  ServerNames.Kind match() {
    return match;
  }

  /** For ROUTED: the server name the client asked for, or null. */
  String serverName() {
    return serverName;
  }

  Rejection rejection() {
    return rejection;
  }

  String reason() {
    return reason;
  }

  @Override
  public String toString() {
    switch (kind) {
      case ADVANCE:
        return "ADVANCE(" + state + ")";
      case RUN_TASKS:
        return "RUN_TASKS(" + leg.side() + ")";
      case ROUTED:
        return "ROUTED(" + route.name() + " " + match.label + ")";
      case CLIENT_READY:
        return "CLIENT_READY(" + request + ")";
      case REFUSE:
        return "REFUSE(" + rejection + ")";
      case CLOSE_GRACEFULLY:
      case CLOSE_NOW:
        return kind + "(" + reason + ")";
      default:
        return kind.name();
    }
  }
}
