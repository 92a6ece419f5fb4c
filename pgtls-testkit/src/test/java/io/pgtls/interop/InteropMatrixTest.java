package io.pgtls.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Every client against every server through pgtls, one named test per (server, client, route,
 * case): the interoperability matrix of specs/interop.md. Servers start on first use and stay up
 * for the whole class; the tests run three at a time.
 */
class InteropMatrixTest {
  private static final Duration CANCEL_DEADLINE = Duration.ofSeconds(15);

  @AfterAll
  static void stop() {
    VertxClient.closeAll();
    InteropServers.closeAll();
  }

  @TestFactory
  // Concurrent among themselves; the class as a whole still runs alone, like every other class.
  @Execution(ExecutionMode.CONCURRENT)
  Stream<DynamicNode> everyClientThroughEveryRouteToEveryServer() {
    return InteropServers.all().stream().map(server -> dynamicContainer(server.name(),
        InteropClients.all().stream().map(client -> dynamicContainer(client.name(), cases(server, client)))));
  }

  private static List<DynamicNode> cases(InteropServer server, InteropClient client) {
    List<DynamicNode> cases = new ArrayList<>();
    for (String route : List.of(InteropServer.TLS, InteropServer.PLAIN)) {
      String on = route + " route: ";
      cases.add(test(client, on + "connects with scram-sha-256, queries, closes",
          () -> queriesThrough(server, client, route)));
      if (client.canCancel()) {
        cases.add(test(client, on + "cancels a running query",
            () -> cancelsThrough(server, client, route)));
      }
    }
    if (client.canRequireChannelBinding()) {
      cases.add(test(client, "tls route: channel binding required, and passes (proxy and backend share a certificate)",
          () -> channelBindingPasses(server, client)));
    }
    if (!client.directTls()) {
      for (String route : List.of(InteropServer.TLS, InteropServer.PLAIN)) {
        cases.add(test(client, route + " route: a plaintext client is refused with FATAL 28000",
            () -> plaintextIsRefused(server, client, route)));
      }
    }
    cases.add(test(client, "plain route: a client trusting another CA refuses the proxy",
        () -> anotherCaIsNotTrusted(server, client)));
    cases.add(test(client, "mtls route: a client without a certificate is refused",
        () -> noCertificateIsRefused(server, client)));
    cases.add(test(client, "mtls route: a client with a certificate from client_ca connects",
        () -> certificateIsAccepted(server, client)));
    return cases;
  }

  private static DynamicTest test(InteropClient client, String name, Executable body) {
    return dynamicTest(name, () -> {
      client.requireInstalled();
      body.execute();
    });
  }

  /** The statement shows who is connected, to which server, and whether the backend leg is TLS. */
  private static final String IDENTITY = "select current_user || ' ' || split_part(current_setting('server_version'), "
      + "' ', 1) || ' ' || (select ssl from pg_stat_ssl where pid = pg_backend_pid())";

  private static void queriesThrough(InteropServer server, InteropClient client, String route) {
    Outcome o = client.query(server.endpoint(route), IDENTITY);
    assertThat(o.succeeded()).as(o.toString()).isTrue();
    assertThat(o.output()).isEqualTo(InteropServer.USER + " " + server.postgres().version() + " "
        + route.equals(InteropServer.TLS));
  }

  private static void cancelsThrough(InteropServer server, InteropClient client, String route) {
    String marker = "pgtls_cancel_" + UUID.randomUUID().toString().replace("-", "");
    Outcome o = client.cancel(server.endpoint(route), "select pg_sleep(30), '" + marker + "'",
        () -> server.awaitRunning(marker));
    assertThat(o.succeeded()).as(o.toString()).isFalse();
    assertThat(o.error()).as(o.toString()).contains(client.cancelledStatementError());
    // Within the deadline, pg_sleep(30) ended early: clients that end the call themselves wait for
    // the statement's end before they exit.
    assertThat(o.elapsed()).as(o.toString()).isLessThan(CANCEL_DEADLINE);
  }

  private static void channelBindingPasses(InteropServer server, InteropClient client) {
    Outcome o = client.query(server.endpoint(InteropServer.TLS).requiringChannelBinding(), IDENTITY);
    assertThat(o.succeeded()).as(o.toString()).isTrue();
    assertThat(o.output()).startsWith(InteropServer.USER + " ");
  }

  private static void plaintextIsRefused(InteropServer server, InteropClient client, String route) {
    Outcome o = client.query(server.endpoint(route).withoutTls(), "select 1");
    assertThat(o.succeeded()).as(o.toString()).isFalse();
    // psql and psycopg2 print the severity, pgjdbc, vertx-pg-client and node-postgres the SQLSTATE.
    assertThat(o.error()).as(o.toString()).containsAnyOf("FATAL", "28000");
    assertThat(o.error()).as(o.toString()).contains("pgtls route '" + route
        + "' requires an encrypted connection (SSL/TLS); this connection was not encrypted");
  }

  private static void anotherCaIsNotTrusted(InteropServer server, InteropClient client) {
    Outcome o = client.query(server.endpoint(InteropServer.PLAIN).trusting(InteropPki.get().otherCa.caCertificateFile()),
        "select 1");
    assertThat(o.succeeded()).as(o.toString()).isFalse();
    assertThat(o.error()).as(o.toString()).contains(client.untrustedServerError());
  }

  private static void noCertificateIsRefused(InteropServer server, InteropClient client) {
    Outcome o = client.query(server.endpoint(InteropServer.MTLS), "select 1");
    assertThat(o.succeeded()).as(o.toString()).isFalse();
    // Every client reads PostgreSQL's own words: the handshake succeeds, the StartupMessage gets the FATAL.
    assertThat(o.error()).as(o.toString()).contains("connection requires a valid client certificate");
  }

  private static void certificateIsAccepted(InteropServer server, InteropClient client) {
    Outcome o = client.query(server.endpointWithCertificate(InteropServer.MTLS), "select current_user");
    assertThat(o.succeeded()).as(o.toString()).isTrue();
    assertThat(o.output()).isEqualTo(InteropServer.USER);
  }
}
