package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.PostgresServer;
import io.pgtls.testkit.junit.StartStop;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One proxy, two routes, two backends, used at the same time. */
class TwoRoutesTest {
  private static final Fixture f = Fixture.get();
  private static final PostgresServer second =
      PostgresServer.builder().user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE).build();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(f.tlsRoute("first").build(),
      f.plainRoute("second").backend("127.0.0.1:" + second.port()).build()), second);

  @Test
  void eachRouteReachesItsOwnBackendWhileTheOtherIsInUse() throws Exception {
    try (Connection a = Fixture.connect(proxy.boundAddress("first"), f.verifyFull());
        Connection b = Fixture.connect(proxy.boundAddress("second"), f.verifyFull())) {
      assertThat(Fixture.query(a, "select inet_server_port()")).isEqualTo(Integer.toString(f.postgres.port()));
      assertThat(Fixture.query(b, "select inet_server_port()")).isEqualTo(Integer.toString(second.port()));
      assertThat(Fixture.query(a, "select ssl from pg_stat_ssl where pid = pg_backend_pid()")).isEqualTo("t");
      assertThat(Fixture.query(b, "select ssl from pg_stat_ssl where pid = pg_backend_pid()")).isEqualTo("f");
    }
  }

  @Test
  void eachRouteTellsItsOwnBoundAddress() {
    assertThat(proxy.boundAddress("first").getPort()).isNotEqualTo(proxy.boundAddress("second").getPort());
    assertThat(proxy.routeNames()).containsExactly("first", "second");
  }
}
