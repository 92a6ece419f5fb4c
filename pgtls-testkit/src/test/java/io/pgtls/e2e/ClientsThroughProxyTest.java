package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.PgTlsProxy;
import io.pgtls.testkit.junit.StartStop;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * pgjdbc and psql (libpq) through pgtls with sslmode=verify-full, on a TLS->TLS route and a
 * TLS->plaintext route; PostgreSQL's pg_stat_ssl tells which kind the proxy's leg is.
 */
class ClientsThroughProxyTest {
  private static final String BACKEND_LEG_SSL = "select ssl from pg_stat_ssl where pid = pg_backend_pid()";
  private static final Fixture f = Fixture.get();

  @StartStop static final FixtureProxy proxy =
      FixtureProxy.of(() -> List.of(f.tlsRoute("tls").build(), f.plainRoute("plain").build()));

  private static InetSocketAddress tls() {
    return proxy.boundAddress("tls");
  }

  private static InetSocketAddress plain() {
    return proxy.boundAddress("plain");
  }

  @Test
  void pgjdbcVerifyFullThroughTlsRouteReachesBackendOverTls() throws Exception {
    try (Connection c = Fixture.connect(tls(), f.verifyFull())) {
      assertThat(Fixture.query(c, BACKEND_LEG_SSL)).isEqualTo("t");
      assertThat(Fixture.query(c, "select current_user")).isEqualTo(Fixture.USER);
      assertThat(Fixture.query(c, "select sum(i) from generate_series(1, 1000) i")).isEqualTo("500500");
    }
  }

  @Test
  void pgjdbcVerifyFullThroughPlaintextRouteReachesBackendInPlaintext() throws Exception {
    var props = f.verifyFull();
    props.remove("channelBinding"); // a plaintext backend leg offers no -PLUS: pgjdbc's default works
    try (Connection c = Fixture.connect(plain(), props)) {
      assertThat(Fixture.query(c, BACKEND_LEG_SSL)).isEqualTo("f");
      assertThat(Fixture.query(c, "select current_database()")).isEqualTo(Fixture.DATABASE);
    }
  }

  @Test
  void psqlVerifyFullThroughTlsRoute() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(tls(), "verify-full") + " channel_binding=disable",
        Fixture.PASSWORD, BACKEND_LEG_SSL + "; select version from pg_stat_ssl where pid = pg_backend_pid()");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.lines()).containsExactly("t", "TLSv1.3");
  }

  @Test
  void psqlVerifyFullThroughPlaintextRouteWithLibpqDefaults() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(plain(), "verify-full"), Fixture.PASSWORD, BACKEND_LEG_SSL);
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("f");
  }

  @Test
  void ipv6ListenerAndIpv6BackendWithPsqlVerifyFull() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(f.postgres.listensOnIpv6(), "no IPv6 loopback on this machine");
    try (PgTlsProxy v6 = Fixture.start(f.tlsRoute("v6").listen("[::1]:0").backend("[::1]:" + f.postgres.port())
        .build())) {
      InetSocketAddress a = v6.boundAddress("v6");
      // libpq checks an IP host against the certificate's iPAddress SANs (PostgreSQL 14+).
      String conninfo = "host=::1 port=" + a.getPort() + " dbname=" + Fixture.DATABASE + " user=" + Fixture.USER
          + " sslmode=verify-full channel_binding=disable sslrootcert=" + f.pki.caCertificateFile();
      ClientTools.Result r = ClientTools.psql(conninfo, Fixture.PASSWORD,
          "select ssl from pg_stat_ssl where pid = pg_backend_pid(); "
              + "select client_addr from pg_stat_activity where pid = pg_backend_pid()");
      assertThat(r.exitCode).as(r.toString()).isZero();
      assertThat(r.stdout.lines()).containsExactly("t", "::1");
    }
  }
}
