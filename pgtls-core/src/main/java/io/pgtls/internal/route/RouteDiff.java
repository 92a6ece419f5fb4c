package io.pgtls.internal.route;

import io.pgtls.BackendTls;
import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import io.pgtls.Listener;
import io.pgtls.ListenerTls;
import io.pgtls.ProxyProtocol;
import io.pgtls.Route;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What changed for one route, known by its name, between the running configuration and a new one:
 * the kinds of {@link Change} that decide what its live sessions get, and a line naming each
 * changed setting by its TOML name with its old and new value. Pure: it compares the settings as
 * given and reads no file, so a certificate, key, CA, CRL or identity map whose contents changed
 * at the same path is no change here (certificate reload is separate).
 *
 * <p>A route's settings are those it runs with: its own, and from its listener the address, the
 * timeouts, the plaintext policies, the PROXY protocol and, when it has none of its own, the
 * listener's TLS. Where they are written does not count: a route whose TLS moved to its listener
 * unchanged is unchanged. Not compared: the other routes of the listener (one may now take a
 * server name this route served as a wildcard or as the default route), the route's place on its
 * listener (the route id its cancel keys carry), and which listener settings its builder was
 * given.
 */
public final class RouteDiff {
  /** A kind of change, by what it means for a live session of the route. */
  public enum Change {
    /** Where sessions go: backend.address, the backend TLS settings, backend.connect_timeout, backend.send_proxy. */
    BACKEND,
    /**
     * Who may be relayed: listener.allowed_sources, the client-certificate policy (listener.client_cert,
     * client_ca, client_crl, allow_expired_crl) and the identity rule ([proxy.identity]).
     */
    ACCESS,
    /** The TLS presented to clients: listener.server_cert, server_key, tls_versions, cipher_suites, tls_engine. */
    LISTENER_TLS,
    /** The route's session limits and policies: listener.max_connections, listener.idle_timeout, on_reload. */
    LIMITS,
    /** The TLS server names the route serves: listener.server_names. */
    NAMES,
    /**
     * The listener the route is on: listener.bind_address, startup_timeout, handshake_timeout,
     * allow_plaintext_cancel, allow_plaintext_clients, proxy_protocol.
     */
    LISTENER
  }

  /** Whether the route is in both configurations or in one only. */
  public enum Presence {
    /** In both: compared setting by setting. */
    KEPT,
    /** Only in the new configuration: it has no live sessions. */
    ADDED,
    /** Only in the running configuration: its live sessions have no route any more. */
    REMOVED
  }

  /** Lists written out longer than this are described by what was added and removed instead. */
  private static final int LONGEST_LIST_SHOWN = 120;
  /** Entries named when a list is described by what was added and removed; the rest are counted. */
  private static final int ENTRIES_NAMED = 5;

  private final String route;
  private final Presence presence;
  private final EnumSet<Change> changes;
  private final List<String> settings;

  private RouteDiff(String route, Presence presence, EnumSet<Change> changes, List<String> settings) {
    this.route = route;
    this.presence = presence;
    this.changes = changes.clone();
    this.settings = List.copyOf(settings);
  }

  /**
   * Compares route {@code before} on listener {@code beforeListener} (running) with the route of
   * the same name {@code after} on {@code afterListener} (new).
   *
   * @throws IllegalArgumentException when the routes' names differ, or a route is not one of its
   *     listener's routes
   */
  public static RouteDiff of(Route before, Listener beforeListener, Route after, Listener afterListener) {
    return of(before, beforeListener, engineName(before.tlsEngine()), after, afterListener,
        engineName(after.tlsEngine()));
  }

  /**
   * As {@link #of(Route, Listener, Route, Listener)} for two compiled routes, comparing the TLS
   * engine that serves each (the route's own, else its proxy's), so a changed proxy-wide engine is
   * a TLS change too.
   */
  public static RouteDiff of(CompiledRoute before, CompiledRoute after) {
    return of(before.route(), before.listener(), before.tlsEngine().name(), after.route(), after.listener(),
        after.tlsEngine().name());
  }

  /** A route's own engine by name; "proxy's" when it takes the proxy's. */
  private static String engineName(io.pgtls.tls.TlsEngineFactory engine) {
    return engine == null ? "proxy's" : engine.name();
  }

  private static RouteDiff of(Route before, Listener beforeListener, String beforeEngine, Route after,
      Listener afterListener, String afterEngine) {
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(beforeListener, "beforeListener");
    Objects.requireNonNull(after, "after");
    Objects.requireNonNull(afterListener, "afterListener");
    if (!before.name().equals(after.name())) {
      throw new IllegalArgumentException("routes '" + before.name() + "' and '" + after.name()
          + "' are different routes; compare a route with the route of the same name");
    }
    requireOn(before, beforeListener);
    requireOn(after, afterListener);
    Comparison c = new Comparison();
    backend(c, before, after);
    access(c, before, tls(before, beforeListener), after, tls(after, afterListener));
    listenerTls(c, tls(before, beforeListener), tls(after, afterListener));
    // One engine serves both legs; a change is a TLS change for new sessions only (live ones keep
    // their engines), so it counts with the listener's TLS, not as a backend change that would end them.
    c.value(Change.LISTENER_TLS, "tls_engine", beforeEngine, afterEngine, String::valueOf);
    c.value(Change.LIMITS, "listener.max_connections", before.maxConnections(), after.maxConnections(),
        String::valueOf);
    c.value(Change.LIMITS, "listener.idle_timeout", before.idleTimeout(), after.idleTimeout(), RouteDiff::duration);
    c.value(Change.LIMITS, "on_reload", before.onReload(), after.onReload(), p -> p.name().toLowerCase(java.util.Locale.ROOT));
    c.list(Change.NAMES, "listener.server_names", before.serverNames(), after.serverNames(), "none (default route)");
    listener(c, beforeListener, afterListener);
    return new RouteDiff(before.name(), Presence.KEPT, c.changes, c.settings);
  }

  /** Route {@code before} is in the running configuration only: every kind of change applies to it. */
  public static RouteDiff removed(Route before) {
    return new RouteDiff(before.name(), Presence.REMOVED, EnumSet.allOf(Change.class),
        List.of("route removed (backend.address " + show(before.backend()) + ")"));
  }

  /** Route {@code after} is in the new configuration only: every kind of change applies to it. */
  public static RouteDiff added(Route after) {
    return new RouteDiff(after.name(), Presence.ADDED, EnumSet.allOf(Change.class),
        List.of("route added (backend.address " + show(after.backend()) + ")"));
  }

  private static void requireOn(Route route, Listener listener) {
    if (!listener.routes().contains(route)) {
      throw new IllegalArgumentException("route '" + route.name() + "' is not a route of listener "
          + listener.address() + ", whose routes are " + listener.routes().stream().map(Route::name).toList());
    }
  }

  /** The TLS the route presents to its clients: its own, or its listener's; null when neither has any. */
  private static ListenerTls tls(Route route, Listener listener) {
    return route.listenerTls() != null ? route.listenerTls() : listener.tls();
  }

  private static void backend(Comparison c, Route before, Route after) {
    c.value(Change.BACKEND, "backend.address", before.backend(), after.backend(), RouteDiff::show);
    BackendTls b = before.backendTls();
    BackendTls a = after.backendTls();
    if (!Objects.equals(b, a) && b != null && a != null) {
      c.value(Change.BACKEND, "backend.tls_enabled", b.enabled(), a.enabled(), String::valueOf);
      c.value(Change.BACKEND, "backend.root_ca", b.rootCa().orElse(null), a.rootCa().orElse(null), RouteDiff::show);
      c.value(Change.BACKEND, "backend.client_cert", b.clientCertificate().orElse(null),
          a.clientCertificate().orElse(null), RouteDiff::show);
      c.value(Change.BACKEND, "backend.client_key", b.clientKey().orElse(null), a.clientKey().orElse(null),
          RouteDiff::show);
      c.value(Change.BACKEND, "backend.server_name", b.serverName().orElse(null), a.serverName().orElse(null),
          RouteDiff::show);
      c.value(Change.BACKEND, "backend.verify", b.verification(), a.verification(),
          v -> v.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      c.value(Change.BACKEND, "backend.direct_tls", b.direct(), a.direct(), String::valueOf);
    } else {
      c.value(Change.BACKEND, "backend.tls_enabled", b, a, RouteDiff::show);
    }
    c.value(Change.BACKEND, "backend.connect_timeout", before.connectTimeout(), after.connectTimeout(),
        RouteDiff::duration);
    c.value(Change.BACKEND, "backend.send_proxy", before.backendProxyProtocol(), after.backendProxyProtocol(),
        v -> v == null ? "off" : versions(v));
  }

  private static void access(Comparison c, Route before, ListenerTls beforeTls, Route after, ListenerTls afterTls) {
    c.list(Change.ACCESS, "listener.allowed_sources", before.allowedSources(), after.allowedSources(),
        "any address");
    ClientCertificates b = beforeTls == null ? null : beforeTls.clientCertificates().orElse(null);
    ClientCertificates a = afterTls == null ? null : afterTls.clientCertificates().orElse(null);
    if (b == null || a == null) {
      c.value(Change.ACCESS, "listener.client_cert", b, a, RouteDiff::clientCertificates);
    } else {
      c.value(Change.ACCESS, "listener.client_cert", b.mode(), a.mode(), RouteDiff::lower);
      c.value(Change.ACCESS, "listener.client_ca", b.ca(), a.ca(), RouteDiff::show);
      c.list(Change.ACCESS, "listener.client_crl", paths(b.revocationLists()), paths(a.revocationLists()), "none");
      c.value(Change.ACCESS, "listener.allow_expired_crl", b.allowExpiredRevocationLists(),
          a.allowExpiredRevocationLists(), String::valueOf);
    }
    ClientIdentity bi = before.clientIdentity();
    ClientIdentity ai = after.clientIdentity();
    if (bi == null || ai == null) {
      c.value(Change.ACCESS, "identity", bi, ai, RouteDiff::identity);
    } else {
      c.value(Change.ACCESS, "identity.source", bi.source(), ai.source(), RouteDiff::lower);
      c.value(Change.ACCESS, "identity.map", bi.mapName(), ai.mapName(), RouteDiff::show);
      c.value(Change.ACCESS, "identity.map_file", bi.mapFile(), ai.mapFile(), RouteDiff::show);
      c.changed(Change.ACCESS, "identity.map_lines", bi.mapLines(), ai.mapLines(),
          lines -> lines == null ? "none" : lines.size() + (lines.size() == 1 ? " line" : " lines"));
      c.value(Change.ACCESS, "identity.backend_setting", bi.backendSetting(), ai.backendSetting(), RouteDiff::show);
    }
  }

  private static void listenerTls(Comparison c, ListenerTls before, ListenerTls after) {
    c.value(Change.LISTENER_TLS, "listener.server_cert", before == null ? null : before.certificateChain(),
        after == null ? null : after.certificateChain(), RouteDiff::show);
    c.value(Change.LISTENER_TLS, "listener.server_key", before == null ? null : before.privateKey(),
        after == null ? null : after.privateKey(), RouteDiff::show);
    c.list(Change.LISTENER_TLS, "listener.tls_versions", before == null ? List.of() : before.protocols(),
        after == null ? List.of() : after.protocols(), "none");
    c.list(Change.LISTENER_TLS, "listener.cipher_suites", before == null ? List.of() : before.cipherSuites(),
        after == null ? List.of() : after.cipherSuites(), "default");
  }

  private static void listener(Comparison c, Listener before, Listener after) {
    c.value(Change.LISTENER, "listener.bind_address", before.address(), after.address(), RouteDiff::show);
    c.value(Change.LISTENER, "listener.startup_timeout", before.startupTimeout(), after.startupTimeout(),
        RouteDiff::duration);
    c.value(Change.LISTENER, "listener.handshake_timeout", before.handshakeTimeout(), after.handshakeTimeout(),
        RouteDiff::duration);
    c.value(Change.LISTENER, "listener.allow_plaintext_cancel", before.allowPlaintextCancel(),
        after.allowPlaintextCancel(), String::valueOf);
    c.value(Change.LISTENER, "listener.allow_plaintext_clients", before.allowPlaintextClients(),
        after.allowPlaintextClients(), String::valueOf);
    ProxyProtocol b = before.proxyProtocol();
    ProxyProtocol a = after.proxyProtocol();
    if (b == null || a == null) {
      c.value(Change.LISTENER, "listener.proxy_protocol", b, a,
          p -> p == null ? "off" : "trusted " + p.trustedProxies());
    } else {
      c.list(Change.LISTENER, "listener.proxy_protocol.trusted", b.trustedProxies(), a.trustedProxies(), "none");
      c.value(Change.LISTENER, "listener.proxy_protocol.versions", b.versions(), a.versions(), RouteDiff::versions);
      c.value(Change.LISTENER, "listener.proxy_protocol.untrusted", b.untrusted(), a.untrusted(), RouteDiff::lower);
      c.value(Change.LISTENER, "listener.proxy_protocol.max_v2_length", b.maxV2Length(), a.maxV2Length(),
          String::valueOf);
    }
  }

  /** The route's name. */
  public String route() {
    return route;
  }

  public Presence presence() {
    return presence;
  }

  /** The kinds of change, a copy; empty when the route is unchanged, all of them when it was added or removed. */
  public EnumSet<Change> changes() {
    return changes.clone();
  }

  /** Whether the change {@code kind} is among {@link #changes()}. */
  public boolean has(Change kind) {
    return changes.contains(kind);
  }

  /** Whether the route is in both configurations with every setting it runs with the same. */
  public boolean unchanged() {
    return presence == Presence.KEPT && changes.isEmpty();
  }

  /**
   * The changed settings by their TOML names, old value first, joined by "; ": {@code
   * backend.address 10.0.0.5:5432 -> 10.0.0.6:5432; listener.allowed_sources [10.0.0.0/8] ->
   * [10.1.0.0/16]}; {@code unchanged} when nothing changed.
   */
  public String describe() {
    return settings.isEmpty() ? "unchanged" : String.join("; ", settings);
  }

  @Override
  public String toString() {
    return "RouteDiff{" + route + " " + presence + " " + changes + ": " + describe() + "}";
  }

  /** The changes found so far and a line for each changed setting. */
  private static final class Comparison {
    final EnumSet<Change> changes = EnumSet.noneOf(Change.class);
    final List<String> settings = new ArrayList<>();

    /** Notes {@code setting} as {@code setting before -> after} when its values differ. */
    <V> void value(Change kind, String setting, V before, V after, Function<? super V, String> show) {
      if (!Objects.equals(before, after)) {
        changes.add(kind);
        settings.add(setting + " " + show.apply(before) + " -> " + show.apply(after));
      }
    }

    /**
     * Notes {@code setting} as {@code setting changed (before -> after)} when its values differ, for
     * values too long to write out: {@code show} gives a summary, which may be the same both ways.
     */
    <V> void changed(Change kind, String setting, V before, V after, Function<? super V, String> show) {
      if (!Objects.equals(before, after)) {
        changes.add(kind);
        settings.add(setting + " changed (" + show.apply(before) + " -> " + show.apply(after) + ")");
      }
    }

    /**
     * Notes a list setting that differs (in order too): written out both ways when short, else
     * what it gained and lost; {@code empty} is what an empty list means.
     */
    void list(Change kind, String setting, List<String> before, List<String> after, String empty) {
      if (before.equals(after)) {
        return;
      }
      changes.add(kind);
      String b = before.isEmpty() ? empty : before.toString();
      String a = after.isEmpty() ? empty : after.toString();
      if (b.length() + a.length() <= LONGEST_LIST_SHOWN) {
        settings.add(setting + " " + b + " -> " + a);
        return;
      }
      Set<String> added = new LinkedHashSet<>(after);
      added.removeAll(before);
      Set<String> removed = new LinkedHashSet<>(before);
      removed.removeAll(after);
      List<String> parts = new ArrayList<>();
      if (!added.isEmpty()) {
        parts.add("added " + named(added));
      }
      if (!removed.isEmpty()) {
        parts.add("removed " + named(removed));
      }
      settings.add(setting + " changed: " + (parts.isEmpty() ? "reordered" : String.join(", ", parts)));
    }

    private static String named(Set<String> entries) {
      List<String> shown = entries.stream().limit(ENTRIES_NAMED).toList();
      int more = entries.size() - shown.size();
      return shown + (more == 0 ? "" : " and " + more + " more");
    }
  }

  private static String show(Object value) {
    return value == null ? "none" : value.toString();
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  /** As the configuration writes a duration: {@code 10s}, {@code 1m30s}, {@code 0.5s}, {@code 24h}. */
  private static String duration(Duration d) {
    return d == null ? "none" : d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private static String versions(ProxyProtocol.Versions v) {
    return switch (v) {
      case V1 -> "v1";
      case V2 -> "v2";
      case V1_AND_V2 -> "v1v2";
    };
  }

  private static List<String> paths(List<Path> paths) {
    return paths.stream().map(Path::toString).toList();
  }

  private static String clientCertificates(ClientCertificates c) {
    return c == null ? "off" : lower(c.mode()) + " (client_ca " + c.ca() + ")";
  }

  private static String identity(ClientIdentity i) {
    return i == null ? "none" : "source " + lower(i.source()) + (i.mapName() == null ? "" : ", map " + i.mapName());
  }

}
