package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.BackendTls;
import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Properties;
import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.Reconfiguration;
import io.pgtls.Route;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** Live reconfiguration through the Java API: what new connections see, and what live sessions get. */
class ReconfigureTest {
  private static final Fixture f = Fixture.get();
  private static final Duration DRAIN = Duration.ofSeconds(20);
  private PgTlsProxy proxy;

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private static PgTlsProxy.Builder builder(Route... routes) {
    PgTlsProxy.Builder b = PgTlsProxy.builder().name("e2e").loops(2);
    for (Route r : routes) {
      b.route(r);
    }
    return b;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Route.Builder toScram(String name, int port) {
    return f.tlsRoute(name).listen("127.0.0.1:" + port);
  }

  private static Route.Builder toTrusting(String name, int port) {
    return Route.builder(name).listen("127.0.0.1:" + port).tls(f.listenerTls())
        .backend("127.0.0.1:" + f.trusting().port()).backendTls(BackendTls.verifyFull(f.pki.caCertificateFile()));
  }

  private Connection connect(String route) throws SQLException {
    return Fixture.connect(proxy.boundAddress(route), f.verifyFull());
  }

  private static String serverPort(Connection c) throws SQLException {
    return Fixture.query(c, "select inet_server_port()");
  }

  @Test
  void aSessionSurvivesAReloadThatChangesOnlyAnotherRouteAndANewRouteWorksAtOnce() throws Exception {
    int a = freePort();
    int b = freePort();
    proxy = builder(toScram("a", a).build(), toScram("b", b).build()).build().start();
    try (Connection onA = connect("a")) {
      Reconfiguration r = proxy.reconfigure(builder(toScram("a", a).build(),
          toScram("b", b).idleTimeout(Duration.ofMinutes(5)).build(), toScram("c", 0).build()), DRAIN);

      assertThat(r.generation()).isEqualTo(2);
      assertThat(r.added()).containsExactly("c");
      assertThat(r.changed()).containsExactly("b");
      assertThat(r.unchanged()).containsExactly("a");
      assertThat(Fixture.query(onA, "select 'still here'")).isEqualTo("still here");
      try (Connection onC = connect("c")) {
        assertThat(Fixture.query(onC, "select current_user")).isEqualTo(Fixture.USER);
      }
    }
  }

  @Test
  void aKeptAddressKeepsItsSocketSoNoConnectionIsRefusedDuringReloads() throws Exception {
    int port = freePort();
    // The connect loop opens thousands of connections from one address: far above the default
    // handshake rate, which would (rightly) close the later ones at once.
    proxy = builder(toScram("main", port).build())
        .clientLimits(io.pgtls.ClientLimits.defaults().handshakesPerSource(1_000_000, 1_000_000)).build().start();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger connects = new AtomicInteger();
    CompletableFuture<Throwable> loop = CompletableFuture.supplyAsync(() -> {
      while (!stop.get()) {
        try (Socket s = new Socket("127.0.0.1", port)) {
          connects.incrementAndGet();
        } catch (Exception e) {
          return e;
        }
      }
      return null;
    });
    for (int i = 0; i < 10; i++) {
      proxy.reconfigure(builder(toScram("main", port).idleTimeout(Duration.ofSeconds(60 + i)).build()), DRAIN);
    }
    stop.set(true);
    assertThat(loop.get(30, TimeUnit.SECONDS)).as("a refused or failed connect").isNull();
    assertThat(connects.get()).isPositive();
    assertThat(proxy.generation()).isEqualTo(11);
    try (Connection c = connect("main")) {
      assertThat(Fixture.query(c, "select 1")).isEqualTo("1");
    }
  }

  @Test
  void aChangedBackendKeepsOldSessionsOnTheOldOneAndSendsNewOnesToTheNewOne() throws Exception {
    int port = freePort();
    proxy = builder(toScram("moving", port).onReload(Route.OnReload.KEEP).build()).build().start();
    try (Connection old = connect("moving")) {
      assertThat(serverPort(old)).isEqualTo(Integer.toString(f.postgres.port()));
      Reconfiguration r = proxy.reconfigure(builder(toTrusting("moving", port).onReload(Route.OnReload.KEEP).build()),
          DRAIN);
      assertThat(r.sessionsKept()).isEqualTo(1);
      assertThat(serverPort(old)).isEqualTo(Integer.toString(f.postgres.port()));
      try (Connection fresh = connect("moving")) {
        assertThat(serverPort(fresh)).isEqualTo(Integer.toString(f.trusting().port()));
      }
    }
  }

  @Test
  void closeEndsTheSessionsOfARemovedRouteAtOnceWith57P01() throws Exception {
    proxy = builder(toScram("gone", 0).onReload(Route.OnReload.CLOSE).build(), toScram("stays", 0).build())
        .build().start();
    try (Connection c = connect("gone")) {
      Reconfiguration r = proxy.reconfigure(builder(toScram("stays", 0).build()), DRAIN);
      assertThat(r.removed()).containsExactly("gone");
      assertThat(r.sessionsClosed()).isEqualTo(1);
      assertThatThrownBy(() -> pollUntilRefused(c))
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57P01"))
          .hasMessageContaining("terminating connection due to administrator command");
    }
  }

  @Test
  void drainEndsAnIdleSessionOfARemovedRouteWith57P01ButNotATransactionBeforeItCommits() throws Exception {
    proxy = builder(toScram("gone", 0).build(), toScram("stays", 0).build()).build().start();
    try (Connection idle = connect("gone"); Connection busy = connect("gone")) {
      busy.setAutoCommit(false);
      try (Statement s = busy.createStatement()) {
        s.execute("select 1");
      }
      CompletableFuture<String> committed = CompletableFuture.supplyAsync(() -> {
        try (Statement s = busy.createStatement()) {
          s.execute("select pg_sleep(3)");
          busy.commit();
          return "committed";
        } catch (SQLException e) {
          return e.getSQLState();
        }
      });
      Thread.sleep(300); // the transaction is running pg_sleep when the reload comes
      Reconfiguration r = proxy.reconfigure(builder(toScram("stays", 0).build()), DRAIN);
      assertThat(r.sessionsDraining()).isEqualTo(2);
      assertThatThrownBy(() -> pollUntilRefused(idle))
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57P01"))
          .hasMessageContaining("was removed by a configuration reload");
      assertThat(committed.get(30, TimeUnit.SECONDS)).isEqualTo("committed");
      assertThatThrownBy(() -> pollUntilRefused(busy)).isInstanceOf(SQLException.class);
    }
  }

  @Test
  void keepLeavesTheSessionsOfARemovedRouteAlone() throws Exception {
    proxy = builder(toScram("gone", 0).onReload(Route.OnReload.KEEP).build(), toScram("stays", 0).build())
        .build().start();
    try (Connection c = connect("gone")) {
      Reconfiguration r = proxy.reconfigure(builder(toScram("stays", 0).build()), DRAIN);
      assertThat(r.sessionsKept()).isEqualTo(1);
      assertThat(Fixture.query(c, "select 'kept'")).isEqualTo("kept");
    }
  }

  @Test
  void narrowingAllowedSourcesEndsTheAffectedSessionAtOnceWhateverThePolicy() throws Exception {
    int port = freePort();
    proxy = builder(toScram("office", port).onReload(Route.OnReload.KEEP).allowedSources("127.0.0.0/8").build(),
        toScram("other", 0).build()).build().start();
    try (Connection inside = connect("office"); Connection elsewhere = connect("other")) {
      Reconfiguration r = proxy.reconfigure(builder(toScram("office", port).onReload(Route.OnReload.KEEP)
          .allowedSources("10.0.0.0/8").build(), toScram("other", 0).build()), DRAIN);
      assertThat(r.sessionsClosed()).isEqualTo(1);
      assertThatThrownBy(() -> pollUntilRefused(inside))
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57P01"))
          .hasMessageContaining("revoked");
      assertThat(Fixture.query(elsewhere, "select 'untouched'")).isEqualTo("untouched");
    }
  }

  @Test
  void aBrokenReloadLeavesTheRunningConfigurationWhole() throws Exception {
    int port = freePort();
    proxy = builder(toScram("main", port).build()).build().start();
    Route broken = Route.builder("main").listen("127.0.0.1:" + port)
        .tls(io.pgtls.ListenerTls.pem(Path.of("/nonexistent/proxy.pem"), Path.of("/nonexistent/proxy.key")))
        .backend(f.backendAddress()).build();
    assertThatThrownBy(() -> proxy.reconfigure(builder(broken), DRAIN)).isInstanceOf(PgTlsException.class)
        .hasMessageContaining("route 'main'");
    assertThat(proxy.generation()).isEqualTo(1);
    try (Connection c = connect("main")) {
      assertThat(Fixture.query(c, "select 'serving'")).isEqualTo("serving");
    }
  }

  private static final TestPki users = TestPki.create(f.directory.resolve("reload-users"), "reload users CA");
  private static final IssuedCertificate alice = users.client("alice");
  private static final IssuedCertificate bob = users.client("bob");

  /** A route to the trusting PostgreSQL whose client certificates log in as alice through map {@code lines}. */
  private static Route certRoute(int port, Path crl, String... mapLines) {
    ClientCertificates certificates = ClientCertificates.required(users.caCertificateFile());
    return toTrusting("certs", port).onReload(Route.OnReload.KEEP)
        .tls(f.listenerTls().clientCertificates(crl == null ? certificates : certificates.revocationLists(crl)))
        .clientIdentity(ClientIdentity.from(ClientIdentity.Source.CN).mapLines(List.of(mapLines), "m")).build();
  }

  private Connection connectWith(IssuedCertificate certificate) throws SQLException {
    Properties p = f.verifyFull();
    p.setProperty("sslcert", certificate.certificateFile().toString());
    p.setProperty("sslkey", certificate.pkcs8DerFile().toString());
    return Fixture.connect(proxy.boundAddress("certs"), p);
  }

  @Test
  void removingAMapLineEndsExactlyTheSessionItAdmitted() throws Exception {
    int port = freePort();
    proxy = builder(certRoute(port, null, "m alice alice", "m bob alice")).build().start();
    try (Connection asAlice = connectWith(alice); Connection asBob = connectWith(bob)) {
      Reconfiguration r = proxy.reconfigure(builder(certRoute(port, null, "m alice alice")), DRAIN);
      assertThat(r.sessionsClosed()).isEqualTo(1);
      assertThatThrownBy(() -> pollUntilRefused(asBob))
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57P01"));
      assertThat(Fixture.query(asAlice, "select 'kept'")).isEqualTo("kept");
    }
  }

  @Test
  void revokingASerialEndsExactlyThatSessionOnTheNextReload() throws Exception {
    int port = freePort();
    Path crl = users.directory().resolve("reload.crl");
    Files.copy(users.crl(List.of(), Instant.now().plus(Duration.ofDays(1))), crl, StandardCopyOption.REPLACE_EXISTING);
    proxy = builder(certRoute(port, crl, "m alice alice", "m bob alice")).build().start();
    try (Connection asAlice = connectWith(alice); Connection asBob = connectWith(bob)) {
      Files.copy(users.crl(List.of(bob), Instant.now().plus(Duration.ofDays(1))), crl, StandardCopyOption.REPLACE_EXISTING);
      Reconfiguration r = proxy.reconfigure(builder(certRoute(port, crl, "m alice alice", "m bob alice")), DRAIN);
      assertThat(r.unchanged()).containsExactly("certs");
      assertThat(r.sessionsClosed()).isEqualTo(1);
      assertThatThrownBy(() -> pollUntilRefused(asBob))
          .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57P01"));
      assertThat(Fixture.query(asAlice, "select 'kept'")).isEqualTo("kept");
    }
  }

  @Test
  void aMalformedPemIsRefusedAndTheRunningConfigurationServes() throws Exception {
    int port = freePort();
    proxy = builder(toScram("main", port).build()).build().start();
    Path bad = Files.writeString(f.directory.resolve("malformed.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    Route broken = toScram("main", port).tls(io.pgtls.ListenerTls.pem(bad, f.proxyCertificate.privateKeyFile())).build();
    assertThatThrownBy(() -> proxy.reconfigure(builder(broken), DRAIN)).isInstanceOf(PgTlsException.class)
        .hasMessageContaining("listener server_cert");
    assertThat(proxy.generation()).isEqualTo(1);
    try (Connection c = connect("main")) {
      assertThat(Fixture.query(c, "select 'serving'")).isEqualTo("serving");
    }
  }

  @Test
  void aDuplicateServerNameOrABadRegexIsRefusedAndTheRunningConfigurationServes() throws Exception {
    int port = freePort();
    proxy = builder(toScram("main", port).build()).build().start();
    PgTlsProxy.Builder duplicate = builder(toScram("a", port).serverNames("db.example.com").build(),
        toScram("b", port).serverNames("db.example.com").build());
    assertThatThrownBy(() -> proxy.reconfigure(duplicate, DRAIN)).isInstanceOf(PgTlsException.class)
        .hasMessageContaining("db.example.com");
    PgTlsProxy.Builder badRegex = builder(certRoute(port, null, "m /(unclosed alice"));
    assertThatThrownBy(() -> proxy.reconfigure(badRegex, DRAIN)).isInstanceOf(PgTlsException.class)
        .hasMessageContaining("map_lines");
    assertThat(proxy.generation()).isEqualTo(1);
    try (Connection c = connect("main")) {
      assertThat(Fixture.query(c, "select 'serving'")).isEqualTo("serving");
    }
  }

  @Test
  void underLoadTwentyReloadsFailNoQueryOnAnUnchangedRouteAndNoNewHandshake() throws Exception {
    int port = freePort();
    int other = freePort();
    proxy = builder(toScram("busy", port).build(), toScram("other", other).build()).build().start();
    int clients = 50;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients + 2);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger queries = new AtomicInteger();
    AtomicInteger handshakes = new AtomicInteger();
    try {
      List<CompletableFuture<Throwable>> workers = new java.util.ArrayList<>();
      for (int i = 0; i < clients; i++) {
        workers.add(CompletableFuture.supplyAsync(() -> {
          try (Connection c = connect("busy")) {
            while (!stop.get()) {
              Fixture.query(c, "select 1");
              queries.incrementAndGet();
            }
            return null;
          } catch (Throwable t) {
            return t;
          }
        }, pool));
      }
      for (int i = 0; i < 2; i++) { // new connections all along: each a TLS handshake on the kept listener
        workers.add(CompletableFuture.supplyAsync(() -> {
          while (!stop.get()) {
            try (Connection c = connect("busy")) {
              Fixture.query(c, "select 1");
              handshakes.incrementAndGet();
            } catch (Throwable t) {
              return t;
            }
          }
          return null;
        }, pool));
      }
      for (int i = 0; i < 20; i++) {
        Route.Builder changing = toScram("other", other).idleTimeout(Duration.ofSeconds(100 + i));
        PgTlsProxy.Builder next = i % 2 == 0 ? builder(toScram("busy", port).build(), changing.build())
            : builder(toScram("busy", port).build(), changing.build(), toScram("extra", 0).build());
        proxy.reconfigure(next, DRAIN);
        Thread.sleep(250);
      }
      stop.set(true);
      for (CompletableFuture<Throwable> w : workers) {
        assertThat(w.get(60, TimeUnit.SECONDS)).as("a failed query or handshake on the unchanged route").isNull();
      }
      assertThat(queries.get()).isPositive();
      assertThat(handshakes.get()).isPositive();
      System.out.printf("%d queries from %d clients and %d new connections across 20 reloads, none failed%n",
          queries.get(), clients, handshakes.get());
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  /** Runs a query every 50 ms until the session is ended (what a pool's validation would see). */
  private static void pollUntilRefused(Connection c) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      try (Statement s = c.createStatement()) {
        s.execute("select 1");
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the session was not ended within 15 s");
  }
}
