package io.pgtls.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.BackendTls;
import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import io.pgtls.HostPort;
import io.pgtls.Listener;
import io.pgtls.ListenerTls;
import io.pgtls.ProxyProtocol;
import io.pgtls.Route;
import io.pgtls.internal.route.RouteDiff.Change;
import io.pgtls.internal.route.RouteDiff.Presence;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RouteDiff}: each setting lands in its kind of change with its TOML name and both values;
 * where a setting is written, and what its files hold, are no change.
 */
class RouteDiffTest {
  private static final Path CERT = Path.of("/etc/pgtls/server.crt");
  private static final Path KEY = Path.of("/etc/pgtls/server.key");
  private static final Path CLIENT_CA = Path.of("/etc/pgtls/client-ca.pem");
  private static final Path CRL = Path.of("/etc/pgtls/client.crl");
  private static final Path ROOT = Path.of("/etc/pgtls/root.crt");
  private static final Path MAP = Path.of("/etc/pgtls/pg_ident.conf");

  private static ClientCertificates clientCertificates() {
    return ClientCertificates.required(CLIENT_CA).revocationLists(CRL);
  }

  private static ListenerTls tls() {
    return ListenerTls.pem(CERT, KEY).clientCertificates(clientCertificates());
  }

  /** Route "main" as it runs: every route setting set, its TLS left to the listener. */
  private static Route.Builder main() {
    return Route.builder("main")
        .backend("10.0.0.5:5432")
        .backendTls(BackendTls.verifyFull(ROOT))
        .connectTimeout(Duration.ofSeconds(10))
        .maxConnections(100)
        .idleTimeout(Duration.ofMinutes(30))
        .serverNames("main.db.example.com")
        .allowedSources("10.0.0.0/8")
        .clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN).mapFile(MAP, "certs"));
  }

  /** The listener of route "main", with {@code route} as its only route. */
  private static Listener.Builder listener(Route route) {
    return Listener.builder("0.0.0.0:6432")
        .tls(tls())
        .startupTimeout(Duration.ofSeconds(60))
        .handshakeTimeout(Duration.ofSeconds(30))
        .proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32"))
        .route(route);
  }

  /** Route "main" changed by {@code route}, on its listener changed by {@code listener}, compared with the running one. */
  private static RouteDiff diff(UnaryOperator<Route.Builder> route, UnaryOperator<Listener.Builder> listener) {
    Route before = main().build();
    Route after = route.apply(main()).build();
    return RouteDiff.of(before, listener(before).build(), after, listener.apply(listener(after)).build());
  }

  private static Arguments route(String what, Change kind, String described, UnaryOperator<Route.Builder> change) {
    return Arguments.of(what, kind, described, change, UnaryOperator.<Listener.Builder>identity());
  }

  private static Arguments listener(String what, Change kind, String described,
      UnaryOperator<Listener.Builder> change) {
    return Arguments.of(what, kind, described, UnaryOperator.<Route.Builder>identity(), change);
  }

  static Stream<Arguments> oneSettingChanged() {
    return Stream.of(
        route("backend address", Change.BACKEND, "backend.address 10.0.0.5:5432 -> 10.0.0.6:5432",
            r -> r.backend("10.0.0.6:5432")),
        route("backend moved to a Unix-domain socket", Change.BACKEND,
            "backend.address 10.0.0.5:5432 -> /var/run/postgresql/.s.PGSQL.5432",
            r -> r.backend("/var/run/postgresql")),
        route("backend TLS off", Change.BACKEND, "backend.tls_enabled true -> false; backend.root_ca "
            + ROOT + " -> none", r -> r.backendTls(BackendTls.disabled())),
        route("backend root CA", Change.BACKEND, "backend.root_ca " + ROOT + " -> /etc/pgtls/new-root.crt",
            r -> r.backendTls(BackendTls.verifyFull(Path.of("/etc/pgtls/new-root.crt")))),
        route("backend client certificate", Change.BACKEND, "backend.client_cert none -> /etc/pgtls/pgtls.crt; "
            + "backend.client_key none -> /etc/pgtls/pgtls.key", r -> r.backendTls(BackendTls.verifyFull(ROOT)
                .clientCertificate(Path.of("/etc/pgtls/pgtls.crt"), Path.of("/etc/pgtls/pgtls.key")))),
        route("backend server name", Change.BACKEND, "backend.server_name none -> db.internal",
            r -> r.backendTls(BackendTls.verifyFull(ROOT).serverName("db.internal"))),
        route("backend verification", Change.BACKEND, "backend.verify verify-full -> verify-ca",
            r -> r.backendTls(BackendTls.verifyFull(ROOT).verifyCaOnly())),
        route("backend direct TLS", Change.BACKEND, "backend.direct_tls false -> true",
            r -> r.backendTls(BackendTls.verifyFull(ROOT).directTls())),
        route("connect timeout", Change.BACKEND, "backend.connect_timeout 10s -> 2.5s",
            r -> r.connectTimeout(Duration.ofMillis(2500))),
        route("PROXY header to the backend", Change.BACKEND, "backend.send_proxy off -> v2",
            r -> r.backendProxyProtocol(ProxyProtocol.Versions.V2)),
        route("allowed sources narrowed", Change.ACCESS, "listener.allowed_sources [10.0.0.0/8] -> [10.1.0.0/16]",
            r -> r.allowedSources("10.1.0.0/16")),
        route("allowed sources widened to every address", Change.ACCESS,
            "listener.allowed_sources [10.0.0.0/8] -> any address", r -> r.allowedSources(List.of())),
        listener("client certificates optional", Change.ACCESS, "listener.client_cert required -> optional",
            l -> l.tls(ListenerTls.pem(CERT, KEY).clientCertificates(ClientCertificates.optional(CLIENT_CA)
                .revocationLists(CRL)))),
        listener("client certificates no longer asked for", Change.ACCESS,
            "listener.client_cert required (client_ca " + CLIENT_CA + ") -> off", l -> l.tls(ListenerTls.pem(CERT, KEY))),
        listener("client CA", Change.ACCESS, "listener.client_ca " + CLIENT_CA + " -> /etc/pgtls/new-ca.pem",
            l -> l.tls(ListenerTls.pem(CERT, KEY).clientCertificates(
                ClientCertificates.required(Path.of("/etc/pgtls/new-ca.pem")).revocationLists(CRL)))),
        listener("client CRLs", Change.ACCESS, "listener.client_crl [" + CRL + "] -> none",
            l -> l.tls(ListenerTls.pem(CERT, KEY).clientCertificates(ClientCertificates.required(CLIENT_CA)))),
        listener("expired CRLs allowed", Change.ACCESS, "listener.allow_expired_crl false -> true",
            l -> l.tls(ListenerTls.pem(CERT, KEY).clientCertificates(clientCertificates()
                .allowExpiredRevocationLists(true)))),
        route("identity source", Change.ACCESS, "identity.source cn -> dn",
            r -> r.clientIdentity(ClientIdentity.from(ClientIdentity.Source.DN).mapFile(MAP, "certs"))),
        route("identity map name", Change.ACCESS, "identity.map certs -> ops",
            r -> r.clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN).mapFile(MAP, "ops"))),
        route("identity map inline", Change.ACCESS, "identity.map_file " + MAP + " -> none; "
            + "identity.map_lines changed (none -> 1 line)", r -> r.clientIdentity(ClientIdentity
                .from(ClientIdentity.Source.CN).mapLines(List.of("certs alice alice"), "certs"))),
        route("identity passed to the backend", Change.ACCESS, "identity.backend_setting none -> pgtls.id",
            r -> r.clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN).mapFile(MAP, "certs")
                .backendSetting("pgtls.id"))),
        listener("server certificate", Change.LISTENER_TLS, "listener.server_cert " + CERT
            + " -> /etc/pgtls/new.crt", l -> l.tls(ListenerTls.pem(Path.of("/etc/pgtls/new.crt"), KEY)
                .clientCertificates(clientCertificates()))),
        listener("server key", Change.LISTENER_TLS, "listener.server_key " + KEY + " -> /etc/pgtls/new.key",
            l -> l.tls(ListenerTls.pem(CERT, Path.of("/etc/pgtls/new.key")).clientCertificates(clientCertificates()))),
        listener("TLS versions", Change.LISTENER_TLS, "listener.tls_versions [TLSv1.3, TLSv1.2] -> [TLSv1.3]",
            l -> l.tls(tls().protocols("TLSv1.3"))),
        listener("cipher suites", Change.LISTENER_TLS, "listener.cipher_suites default -> [TLS_AES_256_GCM_SHA384]",
            l -> l.tls(tls().cipherSuites("TLS_AES_256_GCM_SHA384"))),
        route("max connections", Change.LIMITS, "listener.max_connections 100 -> 0", r -> r.maxConnections(0)),
        route("idle timeout", Change.LIMITS, "listener.idle_timeout 30m -> 1h30m",
            r -> r.idleTimeout(Duration.ofMinutes(90))),
        route("on_reload", Change.LIMITS, "on_reload drain -> close", r -> r.onReload(Route.OnReload.CLOSE)),
        route("TLS engine", Change.LISTENER_TLS, "tls_engine proxy's -> boringssl",
            r -> r.tlsEngine(new io.pgtls.tls.NamedEngine("boringssl"))),
        route("server names", Change.NAMES, "listener.server_names [main.db.example.com] -> "
            + "[main.db.example.com, *.main.example.com]", r -> r.serverNames("main.db.example.com",
                "*.main.example.com")),
        route("server names none: the default route", Change.NAMES,
            "listener.server_names [main.db.example.com] -> none (default route)", r -> r.serverNames()),
        listener("bind address", Change.LISTENER, "listener.bind_address 0.0.0.0:6432 -> 0.0.0.0:6433",
            l -> Listener.builder("0.0.0.0:6433").tls(tls()).startupTimeout(Duration.ofSeconds(60))
                .handshakeTimeout(Duration.ofSeconds(30)).proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32"))
                .route(main().build())),
        listener("startup timeout", Change.LISTENER, "listener.startup_timeout 1m -> 20s",
            l -> l.startupTimeout(Duration.ofSeconds(20))),
        listener("handshake timeout", Change.LISTENER, "listener.handshake_timeout 30s -> 10s",
            l -> l.handshakeTimeout(Duration.ofSeconds(10))),
        listener("plaintext cancels", Change.LISTENER, "listener.allow_plaintext_cancel true -> false",
            l -> l.allowPlaintextCancel(false)),
        listener("plaintext clients", Change.LISTENER, "listener.allow_plaintext_clients false -> true",
            l -> l.allowPlaintextClients(true)),
        listener("PROXY protocol off", Change.LISTENER, "listener.proxy_protocol trusted [10.0.0.2/32] -> off",
            l -> l.proxyProtocol(null)),
        listener("trusted balancers", Change.LISTENER,
            "listener.proxy_protocol.trusted [10.0.0.2/32] -> [10.0.0.2/32, 10.0.0.3/32]",
            l -> l.proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32", "10.0.0.3/32"))),
        listener("PROXY versions", Change.LISTENER, "listener.proxy_protocol.versions v1v2 -> v2",
            l -> l.proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32").versions(ProxyProtocol.Versions.V2))),
        listener("untrusted peers", Change.LISTENER, "listener.proxy_protocol.untrusted refuse -> direct",
            l -> l.proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32").untrusted(ProxyProtocol.Untrusted.DIRECT))),
        listener("PROXY v2 length", Change.LISTENER, "listener.proxy_protocol.max_v2_length 4096 -> 512",
            l -> l.proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32").maxV2Length(512))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oneSettingChanged")
  void eachSettingIsItsKindOfChangeDescribedByItsTomlName(String what, Change kind, String described,
      UnaryOperator<Route.Builder> route, UnaryOperator<Listener.Builder> listener) {
    RouteDiff diff = diff(route, listener);
    assertThat(diff.changes()).containsExactly(kind);
    assertThat(diff.has(kind)).isTrue();
    assertThat(diff.unchanged()).isFalse();
    assertThat(diff.presence()).isEqualTo(Presence.KEPT);
    assertThat(diff.describe()).isEqualTo(described);
  }

  @Test
  void everyKindOfChangeHasACase() {
    Set<Object> covered = oneSettingChanged().map(a -> a.get()[1]).collect(Collectors.toSet());
    assertThat(covered).containsExactlyInAnyOrder((Object[]) Change.values());
  }

  @Test
  void theSameConfigurationBuiltAgainIsUnchanged() {
    RouteDiff diff = diff(r -> r, l -> l);
    assertThat(diff.unchanged()).isTrue();
    assertThat(diff.changes()).isEmpty();
    assertThat(diff.describe()).isEqualTo("unchanged");
    assertThat(diff.route()).isEqualTo("main");
  }

  @Test
  void filesWhoseContentsChangedAtTheSamePathsAreNoChangeHere(@TempDir Path dir) throws IOException {
    // Certificate reload reads new contents; a diff of the settings must not call that a change.
    Path cert = write(dir.resolve("server.crt"), "certificate 1");
    Path key = write(dir.resolve("server.key"), "key 1");
    Path ca = write(dir.resolve("ca.pem"), "client CA 1");
    Path crl = write(dir.resolve("client.crl"), "CRL 1");
    Path root = write(dir.resolve("root.crt"), "root 1");
    Path map = write(dir.resolve("pg_ident.conf"), "certs alice alice\n");
    Route before = route(cert, key, ca, crl, root, map);
    Listener beforeListener = Listener.builder("0.0.0.0:6432").route(before).build();

    write(cert, "certificate 2");
    write(key, "key 2");
    write(ca, "client CA 2");
    write(crl, "CRL 2");
    write(root, "root 2");
    write(map, "certs bob alice\n");
    Files.delete(crl); // even a file now missing: the settings name the same path
    Route after = route(cert, key, ca, crl, root, map);
    RouteDiff diff = RouteDiff.of(before, beforeListener, after, Listener.builder("0.0.0.0:6432").route(after).build());

    assertThat(diff.unchanged()).as(diff.describe()).isTrue();
  }

  private static Route route(Path cert, Path key, Path ca, Path crl, Path root, Path map) {
    return Route.builder("main")
        .tls(ListenerTls.pem(cert, key).clientCertificates(ClientCertificates.required(ca).revocationLists(crl)))
        .backend("10.0.0.5:5432")
        .backendTls(BackendTls.verifyFull(root).clientCertificate(cert, key))
        .clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN).mapFile(map, "certs"))
        .build();
  }

  private static Path write(Path file, String text) throws IOException {
    return Files.writeString(file, text);
  }

  @Test
  void aRouteWhoseTlsMovedToItsListenerUnchangedIsUnchanged() {
    Route own = main().tls(tls()).build();
    Listener before = Listener.builder("0.0.0.0:6432").startupTimeout(Duration.ofSeconds(60))
        .handshakeTimeout(Duration.ofSeconds(30)).proxyProtocol(ProxyProtocol.trusting("10.0.0.2/32")).route(own)
        .build();
    Route taking = main().build();
    RouteDiff diff = RouteDiff.of(own, before, taking, listener(taking).build());
    assertThat(diff.unchanged()).as(diff.describe()).isTrue();
  }

  @Test
  void theListenersTlsIsNoChangeForARouteWithItsOwn() {
    Route own = main().tls(tls()).build();
    RouteDiff diff = RouteDiff.of(own, listener(own).build(), own,
        listener(own).tls(ListenerTls.pem(Path.of("/etc/pgtls/other.crt"), Path.of("/etc/pgtls/other.key"))).build());
    assertThat(diff.unchanged()).as(diff.describe()).isTrue();
  }

  @Test
  void theListenersTlsIsAChangeForARouteThatTakesIt() {
    RouteDiff diff = diff(r -> r, l -> l.tls(ListenerTls.pem(Path.of("/etc/pgtls/other.crt"), KEY)
        .clientCertificates(clientCertificates())));
    assertThat(diff.changes()).containsExactly(Change.LISTENER_TLS);
  }

  @Test
  void anotherRouteJoiningTheListenerIsNoChangeForThisOne() {
    Route other = Route.builder("other").backend("10.0.0.9:5432").serverNames("other.db.example.com").build();
    RouteDiff diff = diff(r -> r, l -> l.route(other));
    assertThat(diff.unchanged()).as(diff.describe()).isTrue();
  }

  @Test
  void settingsWrittenAnotherWayButEqualAreNoChange() {
    RouteDiff diff = diff(r -> r.backend(HostPort.of("10.0.0.5", 5432)).idleTimeout(Duration.ofSeconds(1800))
        .allowedSources(List.of("10.0.0.0/8")), l -> l.startupTimeout(Duration.ofMillis(60_000)));
    assertThat(diff.unchanged()).as(diff.describe()).isTrue();
  }

  @Test
  void severalKindsAtOnceAreEachNamedInOrder() {
    RouteDiff diff = diff(r -> r.backend("10.0.0.6:5432").allowedSources("10.1.0.0/16").maxConnections(50),
        l -> l.startupTimeout(Duration.ofSeconds(20)));
    assertThat(diff.changes()).containsExactly(Change.BACKEND, Change.ACCESS, Change.LIMITS, Change.LISTENER);
    assertThat(diff.describe()).isEqualTo("backend.address 10.0.0.5:5432 -> 10.0.0.6:5432; "
        + "listener.allowed_sources [10.0.0.0/8] -> [10.1.0.0/16]; listener.max_connections 100 -> 50; "
        + "listener.startup_timeout 1m -> 20s");
  }

  @Test
  void identityAddedToARouteWithoutOneIsAnAccessChange() {
    Route before = main().build();
    Route without = Route.builder("main").backend("10.0.0.5:5432").backendTls(BackendTls.verifyFull(ROOT))
        .maxConnections(100).idleTimeout(Duration.ofMinutes(30)).serverNames("main.db.example.com")
        .allowedSources("10.0.0.0/8").build();
    RouteDiff diff = RouteDiff.of(without, listener(without).build(), before, listener(before).build());
    assertThat(diff.changes()).containsExactly(Change.ACCESS);
    assertThat(diff.describe()).isEqualTo("identity none -> source cn, map certs");
  }

  @Test
  void backendTlsTurnedOnNamesWhatCameWithIt() {
    Route plain = main().backendTls(BackendTls.disabled()).build();
    Route verified = main().build();
    RouteDiff diff = RouteDiff.of(plain, listener(plain).build(), verified, listener(verified).build());
    assertThat(diff.describe()).isEqualTo("backend.tls_enabled false -> true; backend.root_ca none -> " + ROOT);
  }

  @Test
  void aLongSourceListIsDescribedByWhatItGainedAndLost() {
    List<String> many = IntStream.range(0, 40).mapToObj(i -> "10." + i + ".0.0/16").toList();
    List<String> fewer = many.subList(3, 40);
    List<String> more = Stream.concat(fewer.stream(), Stream.of("192.0.2.0/24")).toList();
    Route before = main().allowedSources(many).build();
    Route after = main().allowedSources(more).build();
    RouteDiff diff = RouteDiff.of(before, listener(before).build(), after, listener(after).build());
    assertThat(diff.describe()).isEqualTo("listener.allowed_sources changed: added [192.0.2.0/24], "
        + "removed [10.0.0.0/16, 10.1.0.0/16, 10.2.0.0/16]");
  }

  @Test
  void aLongListWithManyRemovedNamesTheFirstAndCountsTheRest() {
    List<String> many = IntStream.range(0, 40).mapToObj(i -> "10." + i + ".0.0/16").toList();
    Route before = main().allowedSources(many).build();
    Route after = main().allowedSources(many.subList(0, 20)).build();
    RouteDiff diff = RouteDiff.of(before, listener(before).build(), after, listener(after).build());
    assertThat(diff.describe()).isEqualTo("listener.allowed_sources changed: removed [10.20.0.0/16, "
        + "10.21.0.0/16, 10.22.0.0/16, 10.23.0.0/16, 10.24.0.0/16] and 15 more");
  }

  @Test
  void aLongListOnlyReorderedIsStillAChangeSaidToBeReordered() {
    // Equal as sets, but the settings compare in order: a change, and conservative for access.
    List<String> many = IntStream.range(0, 40).mapToObj(i -> "10." + i + ".0.0/16").toList();
    List<String> reversed = new ArrayList<>(many);
    Collections.reverse(reversed);
    Route before = main().allowedSources(many).build();
    Route after = main().allowedSources(reversed).build();
    RouteDiff diff = RouteDiff.of(before, listener(before).build(), after, listener(after).build());
    assertThat(diff.changes()).containsExactly(Change.ACCESS);
    assertThat(diff.describe()).isEqualTo("listener.allowed_sources changed: reordered");
  }

  @Test
  void aRemovedRouteHasEveryKindOfChangeSoNoPolicyKeepsItsSessionsByMistake() {
    RouteDiff diff = RouteDiff.removed(main().build());
    assertThat(diff.presence()).isEqualTo(Presence.REMOVED);
    assertThat(diff.changes()).isEqualTo(EnumSet.allOf(Change.class));
    assertThat(diff.has(Change.BACKEND)).isTrue();
    assertThat(diff.unchanged()).isFalse();
    assertThat(diff.route()).isEqualTo("main");
    assertThat(diff.describe()).isEqualTo("route removed (backend.address 10.0.0.5:5432)");
  }

  @Test
  void anAddedRouteIsNotUnchanged() {
    RouteDiff diff = RouteDiff.added(main().backend("10.0.0.6:5432").build());
    assertThat(diff.presence()).isEqualTo(Presence.ADDED);
    assertThat(diff.changes()).isEqualTo(EnumSet.allOf(Change.class));
    assertThat(diff.unchanged()).isFalse();
    assertThat(diff.describe()).isEqualTo("route added (backend.address 10.0.0.6:5432)");
  }

  @Test
  void changingTheReturnedSetLeavesTheDiffAsItWas() {
    RouteDiff diff = diff(r -> r, l -> l);
    diff.changes().add(Change.BACKEND);
    assertThat(diff.unchanged()).isTrue();
    RouteDiff removed = RouteDiff.removed(main().build());
    removed.changes().clear();
    assertThat(removed.changes()).hasSize(Change.values().length);
  }

  @Test
  void routesOfDifferentNamesAreNotComparedAsOne() {
    Route main = main().build();
    Route other = Route.builder("other").backend("10.0.0.5:5432").build();
    assertThatThrownBy(() -> RouteDiff.of(main, listener(main).build(), other, listener(other).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("routes 'main' and 'other' are different routes; compare a route with the route of the same name");
  }

  @Test
  void aListenerThatDoesNotHoldTheRouteIsRefusedRatherThanReadForItsSettings() {
    Route main = main().build();
    Route other = Route.builder("other").backend("10.0.0.5:5432").build();
    assertThatThrownBy(() -> RouteDiff.of(main, listener(other).build(), main, listener(main).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("route 'main' is not a route of listener 0.0.0.0:6432, whose routes are [other]");
  }

  /**
   * Every field of the classes RouteDiff reads, and where it is compared. A field added later fails
   * this test until RouteDiff compares it (or the reason it does not is written here).
   */
  private static final Map<Class<?>, Map<String, String>> COMPARED = Map.of(
      Route.class, Map.ofEntries(
          Map.entry("name", "the key: only routes of one name are compared"),
          Map.entry("listen", "from the listener: listener.bind_address"),
          Map.entry("listenerTls", "LISTENER_TLS and ACCESS, or the listener's when null"),
          Map.entry("backend", "BACKEND backend.address"),
          Map.entry("backendTls", "BACKEND backend.tls_enabled and the rest"),
          Map.entry("startupTimeout", "from the listener: listener.startup_timeout"),
          Map.entry("handshakeTimeout", "from the listener: listener.handshake_timeout"),
          Map.entry("connectTimeout", "BACKEND backend.connect_timeout"),
          Map.entry("allowPlaintextCancel", "from the listener: listener.allow_plaintext_cancel"),
          Map.entry("maxConnections", "LIMITS listener.max_connections"),
          Map.entry("idleTimeout", "LIMITS listener.idle_timeout"),
          Map.entry("onReload", "LIMITS on_reload"),
          Map.entry("allowPlaintextClients", "from the listener: listener.allow_plaintext_clients"),
          Map.entry("listenerSettings", "not compared: which builder methods were called"),
          Map.entry("serverNames", "NAMES listener.server_names"),
          Map.entry("clientIdentity", "ACCESS identity"),
          Map.entry("proxyProtocol", "from the listener: listener.proxy_protocol"),
          Map.entry("allowedSources", "ACCESS listener.allowed_sources"),
          Map.entry("backendProxyProtocol", "BACKEND backend.send_proxy"),
          Map.entry("tlsEngine", "LISTENER_TLS tls_engine")),
      Listener.class, Map.of(
          "address", "LISTENER listener.bind_address",
          "tls", "LISTENER_TLS and ACCESS for a route without its own",
          "startupTimeout", "LISTENER listener.startup_timeout",
          "handshakeTimeout", "LISTENER listener.handshake_timeout",
          "allowPlaintextCancel", "LISTENER listener.allow_plaintext_cancel",
          "allowPlaintextClients", "LISTENER listener.allow_plaintext_clients",
          "proxyProtocol", "LISTENER listener.proxy_protocol",
          "routes", "not compared: the other routes are theirs",
          "ofRoute", "not compared: how the configuration was written"),
      ListenerTls.class, Map.of(
          "certificateChain", "LISTENER_TLS listener.server_cert",
          "privateKey", "LISTENER_TLS listener.server_key",
          "clientCertificates", "ACCESS listener.client_cert and the rest",
          "protocols", "LISTENER_TLS listener.tls_versions",
          "cipherSuites", "LISTENER_TLS listener.cipher_suites"),
      ClientCertificates.class, Map.of(
          "mode", "ACCESS listener.client_cert",
          "ca", "ACCESS listener.client_ca",
          "revocationLists", "ACCESS listener.client_crl",
          "allowExpiredRevocationLists", "ACCESS listener.allow_expired_crl"),
      BackendTls.class, Map.of(
          "enabled", "BACKEND backend.tls_enabled",
          "rootCa", "BACKEND backend.root_ca",
          "clientCertificate", "BACKEND backend.client_cert",
          "clientKey", "BACKEND backend.client_key",
          "serverName", "BACKEND backend.server_name",
          "verification", "BACKEND backend.verify",
          "direct", "BACKEND backend.direct_tls"),
      ClientIdentity.class, Map.of(
          "source", "ACCESS identity.source",
          "mapFile", "ACCESS identity.map_file",
          "mapLines", "ACCESS identity.map_lines",
          "mapName", "ACCESS identity.map",
          "backendSetting", "ACCESS identity.backend_setting"),
      ProxyProtocol.class, Map.of(
          "trustedProxies", "LISTENER listener.proxy_protocol.trusted",
          "versions", "LISTENER listener.proxy_protocol.versions",
          "untrusted", "LISTENER listener.proxy_protocol.untrusted",
          "maxV2Length", "LISTENER listener.proxy_protocol.max_v2_length"));

  @Test
  void aSettingAddedLaterIsNotSilentlyLeftOutOfTheDiff() {
    COMPARED.forEach((type, fields) -> assertThat(instanceFields(type))
        .as("fields of %s; teach RouteDiff any new one, then list it here", type.getSimpleName())
        .isEqualTo(fields.keySet()));
  }

  private static Set<String> instanceFields(Class<?> type) {
    return Arrays.stream(type.getDeclaredFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()) && !f.isSynthetic())
        .map(Field::getName)
        .collect(Collectors.toSet());
  }
}
