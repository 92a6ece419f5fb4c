package io.pgtls.testkit;

import io.pgtls.BackendTls;
import io.pgtls.HostPort;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import io.pgtls.testkit.junit.Startable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * A TLS-only PostgreSQL for a JVM test: a throwaway CA, a real PostgreSQL with ssl=on and
 * scram-sha-256 (embedded by default, no Docker; or an existing server), and pgtls in front of it,
 * so that the application under test connects with {@code sslmode=verify-full} and, on request,
 * a client certificate.
 *
 * <pre>{@code
 * @StartStop static TlsPostgres db = TlsPostgres.builder().requireClientCertificates().build();
 *
 * try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.jdbcProperties())) { ... }
 * }</pre>
 *
 * By default pgtls presents PostgreSQL's own certificate, so SCRAM channel binding (what libpq and
 * pgjdbc choose by default) passes end to end.
 */
public final class TlsPostgres implements Startable {
  private final Settings config;
  private Path directory;
  private TestPki pki;
  private IssuedCertificate serverCertificate;
  private PostgresServer postgres;
  private ContainerPostgres container;
  private PgTlsProxy proxy;
  private String backendHost;
  private int backendPort;

  private TlsPostgres(Settings config) {
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts PostgreSQL (unless an existing one was named) and pgtls. Idempotent. */
  @Override
  public synchronized void start() {
    if (proxy != null) {
      return;
    }
    try {
      directory = Files.createTempDirectory(config.directoryPrefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      pki = TestPki.create(directory.resolve("pki"), config.caName);
      serverCertificate = pki.server("localhost", "localhost", "127.0.0.1", "::1");
      BackendTls backendTls;
      if (config.containerImage != null) {
        try {
          container = ContainerPostgres.start(config.containerImage, serverCertificate, config.user, config.password,
              config.database, directory);
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("cannot start PostgreSQL container " + config.containerImage, e);
        }
        backendHost = container.host();
        backendPort = container.port();
        backendTls = config.plaintextBackendLeg ? BackendTls.disabled()
            : BackendTls.verifyFull(pki.caCertificateFile()).serverName("localhost");
      } else if (config.existingHost != null) {
        backendHost = config.existingHost;
        backendPort = config.existingPort;
        backendTls = config.existingRootCa == null ? BackendTls.disabled() : BackendTls.verifyFull(config.existingRootCa);
      } else {
        postgres = config.postgres.copy()
            .defaults(directory, serverCertificate.certificateFile(), serverCertificate.privateKeyFile())
            .start();
        backendHost = postgres.host();
        backendPort = postgres.port();
        backendTls = config.plaintextBackendLeg ? BackendTls.disabled()
            : BackendTls.verifyFull(pki.caCertificateFile()).serverName("localhost");
      }
      ListenerTls listener = ListenerTls.pem(serverCertificate.certificateFile(), serverCertificate.privateKeyFile());
      if (config.requireClientCertificates) {
        listener = listener.requireClientCertificates(pki.caCertificateFile());
      }
      proxy = startProxy(listener, backendTls);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Binds the preferred port if one is set and free, else any free port. */
  private PgTlsProxy startProxy(ListenerTls listener, BackendTls backendTls) {
    int[] ports = config.preferredPort == 0 ? new int[] {0} : new int[] {config.preferredPort, 0};
    for (int port : ports) {
      try {
        return PgTlsProxy.builder().name("testkit").loops(1)
            .route(Route.builder("testkit").listen(HostPort.of("127.0.0.1", port)).tls(listener)
                .backend(HostPort.of(backendHost, backendPort)).backendTls(backendTls).build())
            .build().start();
      } catch (PgTlsException e) {
        if (port == 0) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("unreachable: port 0 either binds or throws");
  }

  /** The directory holding the PKI and the embedded server's data; deleted by {@link #close()}. */
  public Path directory() {
    requireStarted();
    return directory;
  }

  /** Stops pgtls and PostgreSQL and deletes every file. Idempotent. */
  @Override
  public synchronized void close() {
    try {
      if (proxy != null) {
        proxy.close();
      }
    } finally {
      proxy = null;
      try {
        if (postgres != null) {
          postgres.close();
        }
        if (container != null) {
          container.close();
        }
      } finally {
        postgres = null;
        container = null;
        if (directory != null) {
          try {
            FileTrees.deleteIfExists(directory);
          } catch (IOException e) {
            // a leftover temp directory must not fail the test that is closing
          }
          directory = null;
        }
      }
    }
  }

  private void requireStarted() {
    if (proxy == null) {
      throw new IllegalStateException("TlsPostgres is not started (annotate the field with @StartStop, or call start())");
    }
  }

  /** Where pgtls listens: the address the application under test connects to. */
  public InetSocketAddress proxyAddress() {
    requireStarted();
    return proxy.boundAddress("testkit");
  }

  /** Where PostgreSQL itself listens (behind pgtls). */
  public InetSocketAddress databaseAddress() {
    requireStarted();
    return InetSocketAddress.createUnresolved(backendHost, backendPort);
  }

  /** The embedded PostgreSQL, to stop, restart or read its log in fault tests; absent for an existing server. */
  public PostgresServer postgres() {
    requireStarted();
    if (postgres == null) {
      throw new IllegalStateException("this TlsPostgres uses an existing server, not an embedded one");
    }
    return postgres;
  }

  public PgTlsProxy proxy() {
    requireStarted();
    return proxy;
  }

  /** The throwaway CA, to issue more certificates, including the bad ones ({@link TestPki#expiredClient}). */
  public TestPki pki() {
    requireStarted();
    return pki;
  }

  /** The CA certificate file clients verify pgtls against ({@code sslrootcert}). */
  public Path caCertificateFile() {
    return pki().caCertificateFile();
  }

  /** A client certificate for {@code user}, signed by the CA that pgtls requires on an mTLS route. */
  public IssuedCertificate clientCertificate(String user) {
    return pki().client(user);
  }

  public String user() {
    return config.user;
  }

  public String password() {
    return config.password;
  }

  public String database() {
    return config.database;
  }

  /** A pgjdbc URL through pgtls with sslmode=verify-full and the root certificate (no credentials). */
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + proxyAddress().getPort() + "/" + config.database
        + "?sslmode=verify-full&sslrootcert=" + caCertificateFile();
  }

  /**
   * pgjdbc connection properties: user, password, and on an mTLS route the client certificate
   * ({@code sslcert}) and its key in the PKCS#8 DER form pgjdbc reads ({@code sslkey}).
   */
  public Properties jdbcProperties() {
    Properties p = new Properties();
    p.setProperty("user", config.user);
    p.setProperty("password", config.password);
    if (config.requireClientCertificates) {
      IssuedCertificate c = clientCertificate(config.user);
      p.setProperty("sslcert", c.certificateFile().toString());
      p.setProperty("sslkey", c.pkcs8DerFile().toString());
    }
    return p;
  }

  /**
   * libpq conninfo through pgtls with sslmode=verify-full (for psql and libpq-based drivers); the
   * password is not included: pass it as PGPASSWORD. On an mTLS route it names a PEM client
   * certificate and key.
   */
  public String conninfo() {
    String s = "host=localhost port=" + proxyAddress().getPort() + " dbname=" + config.database + " user="
        + config.user + " sslmode=verify-full sslrootcert=" + caCertificateFile();
    if (config.requireClientCertificates) {
      IssuedCertificate c = clientCertificate(config.user);
      s += " sslcert=" + c.certificateFile() + " sslkey=" + c.privateKeyFile();
    }
    return s;
  }

  @Override
  public String toString() {
    return "TlsPostgres[" + (proxy == null ? "stopped" : "pgtls " + proxyAddress() + " -> " + backendHost + ":"
        + backendPort) + (config.requireClientCertificates ? " mTLS" : "") + "]";
  }

  /** Settings of a {@link TlsPostgres}; nothing starts until {@link TlsPostgres#start()}. */
  public static final class Builder {
    private String user = "app";
    private String password = "app-password";
    private String database = "app";
    private boolean requireClientCertificates;
    private boolean plaintextBackendLeg;
    private Consumer<PostgresServer.Builder> postgresCustomizer = b -> { };
    private String existingHost;
    private int existingPort;
    private Path existingRootCa;
    private String containerImage;
    private int preferredPort;
    private String directoryPrefix = "pgtls-testkit-";
    private String caName = "pgtls testkit CA";

    private Builder() {}

    /**
     * Runs PostgreSQL in a Docker container (Testcontainers, e.g. {@code "postgres:17"}) instead of
     * the embedded binaries. Needs {@code org.testcontainers:testcontainers-postgresql} on the test
     * classpath; without a Docker engine the test is skipped, not failed.
     */
    public Builder testcontainers(String image) {
      this.containerImage = Objects.requireNonNull(image, "image");
      return this;
    }

    public Builder user(String name, String password) {
      this.user = Objects.requireNonNull(name, "name");
      this.password = Objects.requireNonNull(password, "password");
      return this;
    }

    public Builder database(String name) {
      this.database = Objects.requireNonNull(name, "name");
      return this;
    }

    /** pgtls requires a client certificate signed by the test CA (mTLS). */
    public Builder requireClientCertificates() {
      this.requireClientCertificates = true;
      return this;
    }

    /** pgtls talks to PostgreSQL in plaintext (the default is TLS with verify-full). */
    public Builder plaintextBackendLeg() {
      this.plaintextBackendLeg = true;
      return this;
    }

    /** Adjusts the embedded PostgreSQL: another version's binaries, settings, pg_hba lines. */
    public Builder postgres(Consumer<PostgresServer.Builder> customizer) {
      this.postgresCustomizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** Use Debian's or another installed PostgreSQL's server binaries instead of the embedded 17. */
    public Builder binaries(Path binDirectory) {
      Consumer<PostgresServer.Builder> before = postgresCustomizer;
      this.postgresCustomizer = b -> {
        before.accept(b);
        b.binaries(binDirectory);
      };
      return this;
    }

    /**
     * Put pgtls in front of a server that already runs: {@code rootCa} verifies its certificate
     * (null: talk to it in plaintext). User, password and database must exist there.
     */
    public Builder existingServer(String host, int port, Path rootCa) {
      this.existingHost = Objects.requireNonNull(host, "host");
      this.existingPort = port;
      this.existingRootCa = rootCa;
      return this;
    }

    /** pgtls listens on this port if it is free, else on any free port (default: any free port). */
    public Builder preferredPort(int port) {
      this.preferredPort = port;
      return this;
    }

    /** Names the temporary directory ({@code prefix}...) and the CA, so files say what made them. */
    public Builder naming(String directoryPrefix, String caName) {
      this.directoryPrefix = Objects.requireNonNull(directoryPrefix, "directoryPrefix");
      this.caName = Objects.requireNonNull(caName, "caName");
      return this;
    }

    /**
     * A TlsPostgres with a copy of these settings, not started yet: changing this builder
     * afterwards changes neither it nor the servers it runs, and the builder may go on to build
     * another. The {@link #postgres} customizer runs here, once, not at every start.
     */
    public TlsPostgres build() {
      return new TlsPostgres(new Settings(this));
    }
  }

  /** What a {@link Builder} held when the TlsPostgres was built, sealed. */
  private static final class Settings {
    private final String user;
    private final String password;
    private final String database;
    private final boolean requireClientCertificates;
    private final boolean plaintextBackendLeg;
    private final String existingHost;
    private final int existingPort;
    private final Path existingRootCa;
    private final String containerImage;
    private final int preferredPort;
    private final String directoryPrefix;
    private final String caName;
    /**
     * The embedded server's settings, customized; each start takes a copy and adds the data
     * directory and TLS files it makes. Null for an existing server or a container.
     */
    private final PostgresServer.Builder postgres;

    private Settings(Builder b) {
      user = b.user;
      password = b.password;
      database = b.database;
      requireClientCertificates = b.requireClientCertificates;
      plaintextBackendLeg = b.plaintextBackendLeg;
      existingHost = b.existingHost;
      existingPort = b.existingPort;
      existingRootCa = b.existingRootCa;
      containerImage = b.containerImage;
      preferredPort = b.preferredPort;
      directoryPrefix = b.directoryPrefix;
      caName = b.caName;
      if (containerImage == null && existingHost == null) {
        PostgresServer.Builder embedded = PostgresServer.builder().user(user, password).database(database);
        b.postgresCustomizer.accept(embedded);
        postgres = embedded.copy(); // the customizer may have kept a reference to the builder it was handed
      } else {
        postgres = null;
      }
    }
  }
}
