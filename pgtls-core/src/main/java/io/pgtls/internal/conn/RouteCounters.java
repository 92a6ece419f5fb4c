package io.pgtls.internal.conn;

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
final class RouteCounters {
  final LongAdder accepted = new LongAdder();
  final LongAdder closed = new LongAdder();
  final LongAdder sessions = new LongAdder();
  final LongAdder clientHandshakes = new LongAdder();
  final LongAdder clientHandshakeNanos = new LongAdder();
  final LongAdder backendConnects = new LongAdder();
  final LongAdder backendConnectNanos = new LongAdder();
  final LongAdder backendConnectFailures = new LongAdder();
  final LongAdder bytesClientToBackend = new LongAdder();
  final LongAdder bytesBackendToClient = new LongAdder();
  private final Map<Refusal, LongAdder> refusals = new EnumMap<>(Refusal.class);
  private final ConcurrentHashMap<String, LongAdder> handshakeFailures = new ConcurrentHashMap<>();

  RouteCounters() {
    for (Refusal r : Refusal.values()) {
      refusals.put(r, new LongAdder());
    }
  }

  void refused(Refusal reason) {
    refusals.get(reason).increment();
  }

  void clientHandshakeFailed(String reason) {
    handshakeFailures.computeIfAbsent(reason, k -> new LongAdder()).increment();
  }

  RouteMetrics snapshot(String route, Map<String, Instant> certificateNotAfter) {
    Map<String, Long> refused = new TreeMap<>();
    refusals.forEach((k, v) -> refused.put(k.label, v.sum()));
    Map<String, Long> failures = new TreeMap<>();
    handshakeFailures.forEach((k, v) -> failures.put(k, v.sum()));
    long acc = accepted.sum();
    return new RouteMetrics(route, acc, Math.max(0, acc - closed.sum()), sessions.sum(), refused, failures,
        clientHandshakes.sum(), clientHandshakeNanos.sum() / 1e9, backendConnects.sum(), backendConnectNanos.sum() / 1e9,
        backendConnectFailures.sum(), bytesClientToBackend.sum(), bytesBackendToClient.sum(), certificateNotAfter);
  }
}
