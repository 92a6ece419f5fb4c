package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The operator's side of a running pgtls, in process through {@link PgTlsCommand#run}: metrics that
 * move, certificate rotation under load, a broken new key, the drain on stop, and a proxy made of
 * command-line options alone. {@link ManualControl} stands in for the signals.
 */
class OperationsTest {
  @TempDir static Path shared;
  private static TestPki pki;
  private static PostgresServer postgres;

  @TempDir Path dir;
  private CertificateDir certs;
  private ManualControl control;
  private CompletableFuture<ExitCode> exit;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private ListAppender<ILoggingEvent> logs;

  @BeforeAll
  static void startPostgres() {
    pki = TestPki.create(shared.resolve("pki"));
    postgres = PostgresServer.builder().user("alice", "secret").database("app").start();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void captureLogs() throws Exception {
    certs = new CertificateDir(dir.resolve("certs"));
    logs = new ListAppender<>();
    logs.start();
    root().addAppender(logs);
  }

  @AfterEach
  void stopProxy() throws Exception {
    root().detachAppender(logs);
    if (exit != null && !exit.isDone()) {
      control.stop();
      exit.get(30, TimeUnit.SECONDS);
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private String config(String drainTimeout) {
    return OneRouteToml.of(drainTimeout, certs, postgres.port());
  }

  private ManualControl.Running start(String... args) throws Exception {
    return start(new ManualControl(), args);
  }

  private ManualControl.Running start(ManualControl manualControl, String... args) throws Exception {
    control = manualControl;
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    PgTlsCommand command = new PgTlsCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        errStream, control);
    exit = CompletableFuture.supplyAsync(() -> command.run(args));
    CompletableFuture.anyOf(control.running, exit).get(60, TimeUnit.SECONDS);
    assertThat(control.running).as("running; stderr: %s", err.toString(StandardCharsets.UTF_8)).isDone();
    return control.running.get();
  }

  private ManualControl.Running startWithFile(String drainTimeout) throws Exception {
    return startWithFile(new ManualControl(), drainTimeout);
  }

  private ManualControl.Running startWithFile(ManualControl manualControl, String drainTimeout) throws Exception {
    Path file = Files.writeString(dir.resolve("pgtls.toml"), config(drainTimeout));
    return start(manualControl, "--config", file.toString());
  }

  /** Waits up to 20 s for a log message matching {@code wanted}; the caller asserts on it. */
  private void awaitLogged(Predicate<String> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (messages().stream().noneMatch(wanted) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  private static int port(ManualControl.Running running) {
    return running.proxy().boundAddress("main").getPort();
  }

  private Connection connect(int port) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "alice");
    p.setProperty("password", "secret");
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", pki.caCertificateFile().toString());
    p.setProperty("connectTimeout", "20");
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/app", p);
  }

  private static int selectOne(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void metricsMoveWithConnectionsNotJustAtStartUp() throws Exception {
    IssuedCertificate first = pki.server("pgtls-metrics", "localhost", "127.0.0.1");
    certs.install(first);
    ManualControl.Running running = startWithFile("10s");
    InetSocketAddress admin = running.admin().orElseThrow();
    String before = AdminHttp.get(admin, "/metrics").body();

    try (Connection c = connect(port(running))) {
      assertThat(selectOne(c)).isEqualTo(1);
      String during = AdminHttp.get(admin, "/metrics").body();
      assertThat(AdminHttp.sample(during, "pgtls_connections_active{route=\"main\"}")).isEqualTo(1);
    }
    Properties plain = new Properties();
    plain.setProperty("user", "alice");
    plain.setProperty("password", "secret");
    plain.setProperty("sslmode", "disable");
    assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://localhost:" + port(running) + "/app", plain))
        .hasMessageContaining("requires an encrypted connection");

    String after = AdminHttp.get(admin, "/metrics").body();
    assertThat(AdminHttp.sample(after, "pgtls_sessions_total{route=\"main\"}"))
        .isEqualTo(AdminHttp.sample(before, "pgtls_sessions_total{route=\"main\"}") + 1);
    assertThat(AdminHttp.sample(after, "pgtls_refusals_total{route=\"main\",reason=\"plaintext\"}"))
        .isEqualTo(AdminHttp.sample(before, "pgtls_refusals_total{route=\"main\",reason=\"plaintext\"}") + 1);
    assertThat(AdminHttp.sample(after, "pgtls_connections_accepted_total{route=\"main\"}")).isGreaterThanOrEqualTo(2);
    assertThat(AdminHttp.sample(after, "pgtls_client_handshake_seconds_count{route=\"main\"}")).isGreaterThanOrEqualTo(1);
    assertThat(AdminHttp.sample(after, "pgtls_bytes_total{route=\"main\",direction=\"client_to_backend\"}")).isPositive();
    assertThat(AdminHttp.sample(after, "pgtls_bytes_total{route=\"main\",direction=\"backend_to_client\"}")).isPositive();
    assertThat(AdminHttp.sample(after, "pgtls_certificate_not_after_seconds{route=\"main\",certificate=\"listener\"}"))
        .isEqualTo(first.certificate().getNotAfter().toInstant().getEpochSecond());
    assertThat(after).contains("# TYPE pgtls_sessions_total counter", "# TYPE pgtls_connections_active gauge",
        "# TYPE pgtls_backend_connect_seconds summary");
    assertThat(AdminHttp.get(admin, "/health").status()).isEqualTo(200);
    assertThat(AdminHttp.get(admin, "/ready").status()).isEqualTo(200);
    assertThat(AdminHttp.get(admin, "/metricsx").status()).isEqualTo(404);
  }

  @Test
  void rotatedCertificateReachesNewClientsWhileLiveClientsNeverFail() throws Exception {
    BigInteger oldSerial = certs.install(pki.server("pgtls-old", "localhost", "127.0.0.1"));
    ManualControl.Running running = startWithFile("10s");
    int port = port(running);
    assertThat(TlsProbe.serial(port)).isEqualTo(oldSerial);

    AtomicBoolean go = new AtomicBoolean(true);
    AtomicLong queries = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      boolean reconnecting = i == 0; // one client also opens new connections all the time
      Thread t = new Thread(() -> {
        try {
          Connection c = connect(port);
          while (go.get()) {
            if (reconnecting) {
              c.close();
              c = connect(port);
            }
            assertThat(selectOne(c)).isEqualTo(1);
            queries.incrementAndGet();
          }
          c.close();
        } catch (Throwable e) {
          failures.add(e);
        }
      }, "client-" + i);
      t.start();
      clients.add(t);
    }
    Thread.sleep(500);
    BigInteger newSerial = certs.install(pki.server("pgtls-new", "localhost", "127.0.0.1"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    BigInteger seen = oldSerial;
    while (!seen.equals(newSerial) && System.nanoTime() < deadline) {
      Thread.sleep(200);
      seen = TlsProbe.serial(port);
    }
    Thread.sleep(500);
    go.set(false);
    for (Thread t : clients) {
      t.join(30_000);
    }
    assertThat(failures).as("clients querying through the rotation").isEmpty();
    assertThat(queries.get()).isPositive();
    assertThat(seen).as("a new client sees the new certificate").isEqualTo(newSerial);
    assertThat(messages()).contains("reloading the configuration: the configuration file or a file it names changed");
  }

  @Test
  void brokenNewKeyKeepsTheOldCertificateInService() throws Exception {
    BigInteger serial = certs.install(pki.server("pgtls-kept", "localhost", "127.0.0.1"));
    ManualControl.Running running = startWithFile("10s");
    CertificateDir.replace(certs.key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
        .getBytes(StandardCharsets.US_ASCII));
    control.reload(); // SIGHUP
    awaitLogged(m -> m.startsWith("configuration not reloaded"));
    assertThat(messages()).anySatisfy(m -> assertThat(m)
        .startsWith("configuration not reloaded, the running configuration stays: ")
        .contains(certs.key.toString()));
    assertThat(TlsProbe.serial(port(running))).isEqualTo(serial);
    try (Connection c = connect(port(running))) {
      assertThat(selectOne(c)).isEqualTo(1);
    }
  }

  @Test
  void aSighupSentAsSoonAsARouteLogsItsAddressReloadsInsteadOfEndingTheProcess() throws Exception {
    BigInteger serial = certs.install(pki.server("pgtls-early-hup", "localhost", "127.0.0.1"));
    List<String> loggedWhenHandlerInstalled = new ArrayList<>();
    ManualControl signalAtOnce = new ManualControl() {
      @Override
      public void onReload(Runnable action) {
        super.onReload(action);
        loggedWhenHandlerInstalled.addAll(messages());
        action.run(); // SIGHUP arrives the moment the handler is in place
      }
    };
    ManualControl.Running running = startWithFile(signalAtOnce, "10s");

    // In the real process the JVM's default SIGHUP action (exit) applies until the handler is in:
    // it must be in before a route opens and logs the address a supervisor or a test waits for.
    assertThat(loggedWhenHandlerInstalled).noneMatch(m -> m.contains("listening on"));
    awaitLogged(m -> m.startsWith("configuration reloaded: generation 2"));
    List<String> logged = messages();
    assertThat(logged.indexOf("reloading the configuration: SIGHUP"))
        .as("the early request waits for the proxy to run: %s", logged)
        .isGreaterThan(indexOfFirst(logged, "route 'main' listening on"));
    assertThat(TlsProbe.serial(port(running))).isEqualTo(serial);
    try (Connection c = connect(port(running))) {
      assertThat(selectOne(c)).isEqualTo(1);
    }
  }

  private static int indexOfFirst(List<String> messages, String part) {
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).contains(part)) {
        return i;
      }
    }
    return Integer.MAX_VALUE;
  }

  @Test
  void stopDrainsALongQueryRefusesNewConnectionsAndIsNotReady() throws Exception {
    certs.install(pki.server("pgtls-drain", "localhost", "127.0.0.1"));
    ManualControl.Running running = startWithFile("20s");
    int port = port(running);
    InetSocketAddress admin = running.admin().orElseThrow();
    Connection c = connect(port);
    CompletableFuture<Boolean> longQuery = CompletableFuture.supplyAsync(() -> {
      try (c; Statement s = c.createStatement()) {
        return s.execute("select pg_sleep(3)");
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(500);
    long stopAt = System.nanoTime();
    CompletableFuture<Void> stop = CompletableFuture.runAsync(control::stop);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int ready = 200;
    while (ready == 200 && System.nanoTime() < deadline) {
      ready = AdminHttp.get(admin, "/ready").status();
    }
    assertThat(ready).as("/ready while draining").isEqualTo(503);
    assertThat(AdminHttp.get(admin, "/health").status()).isEqualTo(200);
    Thread.sleep(100);
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      }
    }).as("new connections while draining").isInstanceOf(ConnectException.class);
    assertThat(longQuery.get(15, TimeUnit.SECONDS)).isTrue();
    stop.get(20, TimeUnit.SECONDS);
    assertThat(exit.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.OK);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopAt)).isLessThan(15);
    assertThat(messages()).contains("stopped; every session finished");
  }

  @Test
  void commandLineOptionsAloneRunAWorkingOneRouteProxy() throws Exception {
    certs.install(pki.server("pgtls-cli", "localhost", "127.0.0.1"));
    ManualControl.Running running = start("--listen", "127.0.0.1:0", "--backend", "127.0.0.1:" + postgres.port(),
        "--cert", certs.cert.toString(), "--key", certs.key.toString(), "--backend-plaintext",
        "--admin", "127.0.0.1:0");
    assertThat(running.proxy().routeNames()).containsExactly("proxy-1");
    try (Connection c = connect(running.proxy().boundAddress("proxy-1").getPort())) {
      assertThat(selectOne(c)).isEqualTo(1);
    }
    assertThat(AdminHttp.get(running.admin().orElseThrow(), "/metrics").body())
        .contains("pgtls_sessions_total{route=\"proxy-1\"} 1");
  }

  @Test
  void adminPortInUseIsExitTwoNamingTheAddressNotAProxyWithoutMetrics() throws Exception {
    certs.install(pki.server("pgtls-busy", "localhost", "127.0.0.1"));
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path file = Files.writeString(dir.resolve("pgtls.toml"),
          config("10s").replace("bind_address = \"127.0.0.1:0\"\n[[proxy]]",
              "bind_address = \"127.0.0.1:" + busy.getLocalPort() + "\"\n[[proxy]]"));
      control = new ManualControl();
      CommandRun run = CommandRun.of(control, "--config", file.toString());
      assertThat(run.exitCode()).isEqualTo(ExitCode.RUNTIME);
      assertThat(run.errLine()).isEqualTo("pgtls: admin endpoint: cannot listen on 127.0.0.1:" + busy.getLocalPort()
          + ": Address already in use");
      assertThat(control.running).isNotDone();
    }
  }

  private List<String> messages() {
    // ListAppender appends to a plain ArrayList inside AppenderBase.doAppend, which holds the
    // appender's monitor; copying under the same monitor avoids a ConcurrentModificationException.
    synchronized (logs) {
      return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
