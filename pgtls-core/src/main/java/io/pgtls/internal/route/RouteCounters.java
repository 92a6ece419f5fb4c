package io.pgtls.internal.route;

import io.pgtls.ListenerMetrics;
import io.pgtls.RouteMetrics;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One route's counters, updated by its connections on any loop (LongAdders: no contention
 * between loops) and read as a {@link RouteMetrics} snapshot.
 */
public final class RouteCounters {
  private final LongAdder accepted = new LongAdder();
  private final LongAdder closed = new LongAdder();
  private final LongAdder sessions = new LongAdder();
  private final LongAdder clientHandshakes = new LongAdder();
  private final LongAdder clientHandshakeNanos = new LongAdder();
  private final LongAdder backendConnects = new LongAdder();
  private final LongAdder backendConnectNanos = new LongAdder();
  private final LongAdder backendConnectFailures = new LongAdder();
  private final LongAdder bytesClientToBackend = new LongAdder();
  private final LongAdder bytesBackendToClient = new LongAdder();
  private final Map<Refusal, LongAdder> refusals = new EnumMap<>(Refusal.class);
  private final Map<ServerNames.Kind, LongAdder> matches = new EnumMap<>(ServerNames.Kind.class);
  private final LongAdder withoutServerName = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> handshakeFailures = new ConcurrentHashMap<>();

  public RouteCounters() {
    for (Refusal r : Refusal.values()) {
      refusals.put(r, new LongAdder());
    }
    for (ServerNames.Kind k : ServerNames.Kind.values()) {
      matches.put(k, new LongAdder());
    }
  }

  public void accepted() {
    accepted.increment();
  }

  public void closed() {
    closed.increment();
  }

  public void sessionStarted() {
    sessions.increment();
  }

  /** A client handshake completed after {@code nanos}. */
  public void clientHandshake(long nanos) {
    clientHandshakes.increment();
    clientHandshakeNanos.add(nanos);
  }

  /** The backend leg became ready (connected, negotiated, handshaken) after {@code nanos}. */
  public void backendConnected(long nanos) {
    backendConnects.increment();
    backendConnectNanos.add(nanos);
  }

  public void backendConnectFailed() {
    backendConnectFailures.increment();
  }

  public void relayedClientToBackend(int bytes) {
    bytesClientToBackend.add(bytes);
  }

  public void relayedBackendToClient(int bytes) {
    bytesBackendToClient.add(bytes);
  }

  /**
   * A connection took this route, its server name matching as {@code kind}; {@code named} is
   * false when the client sent none (pgjdbc for a host without a dot, libpq for an IP address).
   */
  public void matched(ServerNames.Kind kind, boolean named) {
    matches.get(kind).increment();
    if (!named) {
      withoutServerName.increment();
    }
  }

  public void refused(Refusal reason) {
    refusals.get(reason).increment();
  }

  public void clientHandshakeFailed(String reason) {
    handshakeFailures.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  RouteMetrics snapshot(String route, Map<String, Instant> certificateNotAfter,
      Map<String, Instant> revocationListNextUpdate) {
    Map<String, Long> refused = new TreeMap<>();
    refusals.forEach((k, v) -> refused.put(k.label, v.sum()));
    Map<String, Long> failures = new TreeMap<>();
    handshakeFailures.forEach((k, v) -> failures.put(k, v.sum()));
    long acc = accepted.sum();
    return new RouteMetrics(route, acc, Math.max(0, acc - closed.sum()), sessions.sum(), refused, failures,
        clientHandshakes.sum(), clientHandshakeNanos.sum() / 1e9, backendConnects.sum(), backendConnectNanos.sum() / 1e9,
        backendConnectFailures.sum(), bytesClientToBackend.sum(), bytesBackendToClient.sum(), certificateNotAfter,
        labelled(matches), withoutServerName.sum(), revocationListNextUpdate);
  }

  /** The counters of a listener's connections before (or instead of) reaching a route. */
  ListenerMetrics listenerSnapshot(String listener) {
    Map<String, Long> failures = new TreeMap<>();
    handshakeFailures.forEach((k, v) -> failures.put(k, v.sum()));
    Map<String, Long> refused = new TreeMap<>();
    refusals.forEach((k, v) -> refused.put(k.label, v.sum()));
    long acc = accepted.sum();
    return new ListenerMetrics(listener, acc, Math.max(0, acc - closed.sum()), refused, failures);
  }

  private static Map<String, Long> labelled(Map<ServerNames.Kind, LongAdder> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k.label, v.sum()));
    return out;
  }
}
