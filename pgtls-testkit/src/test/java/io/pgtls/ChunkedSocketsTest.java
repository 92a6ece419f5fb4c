package io.pgtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.TestPki;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proxy's sockets, on both legs, move 1 to 7 bytes per read or write: the TLS handshakes,
 * the startup, authentication and results must all still arrive whole and in order.
 */
class ChunkedSocketsTest {
  @TempDir static Path dir;
  private static TestPki pki;
  private static PostgresServer postgres;
  private static PgTlsProxy proxy;

  @BeforeAll
  static void start() {
    pki = TestPki.create(dir);
    IssuedCertificate pg = pki.server("postgres", "localhost", "127.0.0.1");
    IssuedCertificate px = pki.server("pgtls", "localhost", "127.0.0.1");
    postgres = PostgresServer.builder().ssl(pg.certificateFile(), pg.privateKeyFile()).user("alice", "secret")
        .database("app").start();
    ListenerTls tls = ListenerTls.pem(px.certificateFile(), px.privateKeyFile());
    proxy = PgTlsProxy.builder().name("chunked").loops(1)
        .channelWrapper(ch -> new ChunkingByteChannel(ch, 7))
        .route(Route.builder("tls").listen("127.0.0.1:0").tls(tls).backend("127.0.0.1:" + postgres.port())
            .backendTls(BackendTls.verifyFull(pki.caCertificateFile())).build())
        .route(Route.builder("plain").listen("127.0.0.1:0").tls(tls).backend("127.0.0.1:" + postgres.port())
            .backendTls(BackendTls.disabled()).build())
        .build().start();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "plain"})
  void tinyReadsAndWritesOnBothLegsLoseNothing(String route) throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "alice");
    p.setProperty("password", "secret");
    p.setProperty("sslmode", "verify-full");
    p.setProperty("sslrootcert", pki.caCertificateFile().toString());
    p.setProperty("channelBinding", "disable");
    String url = "jdbc:postgresql://localhost:" + proxy.boundAddress(route).getPort() + "/app";
    try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("select md5(string_agg(i::text, ',')), count(*) from generate_series(1, 20000) i")) {
        rs.next();
        assertThat(rs.getInt(2)).isEqualTo(20000);
        assertThat(rs.getString(1)).hasSize(32);
      }
      // A 64 KiB value spans several TLS records, each split into dozens of reads.
      try (ResultSet rs = s.executeQuery("select repeat('0123456789abcdef', 4096)")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("0123456789abcdef".repeat(4096));
      }
    }
  }
}
