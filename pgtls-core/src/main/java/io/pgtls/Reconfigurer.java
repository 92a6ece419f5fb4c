package io.pgtls;

import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.internal.conn.Acceptor;
import io.pgtls.internal.loop.LoopGroup;
import io.pgtls.internal.pg.CancelKeys;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.LiveSession;
import io.pgtls.internal.route.RouteCounters;
import io.pgtls.internal.route.RouteDiff;
import io.pgtls.internal.route.SharedLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconfiguration of a running proxy, in two steps: {@link #plan} reads and binds everything
 * the new configuration needs without touching what serves (a failure leaves it whole), then the
 * caller swaps the plan in and {@link #applyToLiveSessions} decides what each live session gets.
 */
final class Reconfigurer {
  private static final Logger log = LoggerFactory.getLogger(PgTlsProxy.class);

  private final String proxyName;
  private final List<CompiledListener> running;
  private final List<Acceptor> acceptors;
  private final LoopGroup loops;
  private final int loopCount;

  Reconfigurer(String proxyName, List<CompiledListener> running, List<Acceptor> acceptors, LoopGroup loops,
      int loopCount) {
    this.proxyName = proxyName;
    this.running = running;
    this.acceptors = List.copyOf(acceptors);
    this.loops = loops;
    this.loopCount = loopCount;
  }

  /** The new listeners, each with its acceptor (kept or newly bound), in listener order. */
  record Plan(List<CompiledListener> listeners, List<Acceptor> acceptors) {}

  /**
   * Validates {@code next}, reads every file it names and binds its new addresses; then puts it in
   * service on the acceptors: kept sockets take their new listener, sockets no longer configured
   * stop accepting. Throws before anything changes if any of it fails.
   */
  Plan plan(PgTlsProxy.Builder next, TlsEngineFactory engine) {
    List<Listener> grouped = next.validatedListeners();
    SharedLimits limits = running.get(0).limits();
    byte[] secret = next.cancelKeySecret();
    CancelKeys cancelKeys = secret == null ? running.get(0).cancelKeys() : CancelKeys.fromSecret(secret);
    Map<String, RouteCounters> counters = new HashMap<>();
    running.forEach(l -> l.routes().forEach(r -> counters.put(r.name(), r.counters())));
    List<CompiledListener> compiled = new ArrayList<>();
    try {
      for (Listener l : grouped) {
        compiled.add(CompiledListener.compile(l, limits, cancelKeys,
            routeName -> counters.getOrDefault(routeName, new RouteCounters()), engine));
      }
    } catch (RuntimeException e) {
      compiled.forEach(CompiledListener::retire);
      throw e;
    }
    Map<HostPort, Acceptor> byAddress = new LinkedHashMap<>();
    for (int i = 0; i < running.size(); i++) {
      HostPort address = running.get(i).address();
      // A listener configured with port 0 is kept by a new configuration that names the port it
      // was given, so a caller can keep an ephemeral port across reconfigurations.
      byAddress.put(address.port() != 0 ? address
          : HostPort.of(address.host(), acceptors.get(i).boundAddress().getPort()), acceptors.get(i));
    }
    List<Acceptor> next2 = new ArrayList<>();
    List<Acceptor> bound = new ArrayList<>();
    try {
      int i = 0;
      for (CompiledListener l : compiled) {
        Acceptor kept = l.address().port() == 0 ? null : byAddress.remove(l.address());
        if (kept != null) {
          next2.add(kept);
          continue;
        }
        Acceptor fresh = Acceptor.bind(proxyName, l, loops, loops.loop(i++ % loopCount));
        bound.add(fresh);
        next2.add(fresh);
      }
    } catch (IOException | RuntimeException e) {
      bound.forEach(Acceptor::close);
      compiled.forEach(CompiledListener::retire);
      throw e instanceof PgTlsException ? (PgTlsException) e
          : new PgTlsException("pgtls[" + proxyName + "]: cannot listen on a new address: " + e.getMessage(), e);
    }
    for (int i = 0; i < compiled.size(); i++) {
      next2.get(i).serve(compiled.get(i));
    }
    for (Acceptor gone : byAddress.values()) {
      gone.close();
    }
    for (Acceptor old : acceptors) {
      if (!next2.contains(old) && !byAddress.containsValue(old)) {
        old.close(); // a port-0 listener: its replacement was bound anew
      }
    }
    return new Plan(List.copyOf(compiled), List.copyOf(next2));
  }

  /**
   * The replaced configuration's routes make no more engines; their live sessions keep theirs
   * until they end (see {@link io.pgtls.tls.TlsEngineMaker#retire()}).
   */
  void retireReplaced() {
    running.forEach(CompiledListener::retire);
  }

  /** What each live session of the replaced configuration gets, and the summary. */
  Reconfiguration applyToLiveSessions(Plan plan, long generation, Duration drainTimeout) {
    Map<String, CompiledRoute> now = new LinkedHashMap<>();
    plan.listeners().forEach(l -> l.routes().forEach(r -> now.put(r.name(), r)));
    List<String> removed = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    int kept = 0;
    int draining = 0;
    int closed = 0;
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    for (CompiledListener l : running) {
      for (CompiledRoute before : l.routes()) {
        CompiledRoute after = now.get(before.name());
        RouteDiff diff = after == null ? RouteDiff.removed(before.route()) : RouteDiff.of(before, after);
        boolean backendChanged = diff.has(RouteDiff.Change.BACKEND);
        if (after == null) {
          removed.add(before.name());
        } else if (diff.unchanged()) {
          unchanged.add(before.name());
        } else {
          changed.add(before.name());
          log.info("pgtls[{}] route '{}' changed: {}", proxyName, before.name(), diff.describe());
        }
        Route.OnReload policy = (after != null ? after : before).route().onReload();
        String why = after == null ? "pgtls route '" + before.name() + "' was removed by a configuration reload"
            : "the backend of pgtls route '" + before.name() + "' changed in a configuration reload";
        for (LiveSession s : before.liveSessions()) {
          Optional<String> denied = after == null ? Optional.empty() : after.refuses(s.facts());
          if (denied.isPresent()) {
            log.warn("pgtls[{}] route '{}': ending a session of user={} from {}: {}", proxyName, before.name(),
                s.facts().user(), s.facts().clientAddress().getHostAddress(), denied.get());
            s.end("access to pgtls route '" + before.name() + "' was revoked by a configuration reload");
            closed++;
          } else if (!backendChanged || policy == Route.OnReload.KEEP) {
            kept++;
          } else if (policy == Route.OnReload.DRAIN) {
            s.drain(why, deadline);
            draining++;
          } else {
            s.end(why);
            closed++;
          }
        }
      }
    }
    List<String> added = new ArrayList<>(now.keySet());
    running.forEach(l -> l.routes().forEach(r -> added.remove(r.name())));
    return new Reconfiguration(generation, added, removed, changed, unchanged, kept, draining, closed);
  }
}
