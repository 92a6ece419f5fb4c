package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.ListenerTls;
import io.pgtls.PgTlsException;
import io.pgtls.PgTlsProxy;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.PostgresServer;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** More of the conformance and hardening checklists: old TLS, other authentication, garbage floods, expiry. */
class ChecklistExtrasTest {
  private final Fixture f = Fixture.get();

  @Test
  void tls11ClientHelloIsRefusedByTheHandshake() throws Exception {
    String openssl = ClientTools.require("openssl");
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("old-tls").build())) {
      // OpenSSL speaks PostgreSQL's SSLRequest itself with -starttls postgres; SECLEVEL=0 lets it
      // offer TLS 1.1 at all.
      ClientTools.Result r = ClientTools.run(Map.of(), openssl, "s_client", "-starttls", "postgres", "-connect",
          "127.0.0.1:" + proxy.boundAddress("old-tls").getPort(), "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
      assertThat(r.exitCode).as(r.toString()).isNotZero();
      assertThat(r.stdout).contains("no peer certificate available").contains("Cipher is (NONE)")
          .doesNotContain("Server certificate");
      ClientTools.Result ok = ClientTools.run(Map.of(), openssl, "s_client", "-starttls", "postgres", "-connect",
          "127.0.0.1:" + proxy.boundAddress("old-tls").getPort(), "-tls1_2");
      assertThat(ok.stdout).contains("Server certificate").contains("Protocol  : TLSv1.2");
    }
  }

  /**
   * PostgreSQL turns off TLS session tickets and its session cache: no client of it resumes. A
   * listener that issued tickets anyway would spend a key derivation and an encryption on every
   * handshake for nothing. openssl's -reconnect connects six times, resuming when it can. The trap
   * on the other side: the JDK's way of sending no TLS 1.3 ticket makes a TLS 1.2 handshake with a
   * client that asks for one fail (unexpected_message), unless the JVM's tickets are stateful.
   */
  @Test
  void listenerIssuesNoTls13TicketsAndTls12ClientsAskingForOneStillConnect() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("no-resumption").build())) {
      String address = "127.0.0.1:" + proxy.boundAddress("no-resumption").getPort();
      ClientTools.Result tls13 = OtherClients.sClient("-starttls", "postgres", "-connect", address, "-tls1_3", "-reconnect");
      assertThat(tls13.stdout).as(tls13.toString()).doesNotContain("TLS session ticket").doesNotContain("Reused,");
      assertThat(tls13.stdout.split("\nNew, TLSv1\\.3", -1)).as("six new sessions; " + tls13).hasSize(7);

      ClientTools.Result tls12 = OtherClients.sClient("-starttls", "postgres", "-connect", address, "-tls1_2", "-reconnect");
      assertThat(tls12.exitCode).as(tls12.toString()).isZero();
      assertThat(tls12.stdout.split("\n(New|Reused), TLSv1\\.2", -1)).as("six sessions; " + tls12).hasSize(7);
    }
  }

  @Test
  void passwordAuthenticationIsRelayedUntouched() throws Exception {
    try (PostgresServer pg = PostgresServer.builder().user(Fixture.USER, Fixture.PASSWORD).database(Fixture.DATABASE)
            .hba("host all all 127.0.0.1/32 password").start();
        PgTlsProxy proxy = Fixture.start(f.plainRoute("password").backend("127.0.0.1:" + pg.port()).build())) {
      ClientTools.Result r = ClientTools.psql(f.conninfo(proxy.boundAddress("password"), "verify-full"),
          Fixture.PASSWORD, "select 'cleartext password inside TLS'");
      assertThat(r.exitCode).as(r.toString()).isZero();
      ClientTools.Result wrong = ClientTools.psql(f.conninfo(proxy.boundAddress("password"), "verify-full"),
          "not-the-password", "select 1");
      assertThat(wrong.stderr).contains("password authentication failed for user \"alice\"");
    }
  }

  @Test
  void aFloodOfRandomGarbageLeavesThreadsAndBuffersFlat() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("garbage").build())) {
      int threadsBefore = Thread.activeCount();
      Random random = new Random(11);
      for (int i = 0; i < 300; i++) {
        try (Socket s = new Socket("127.0.0.1", proxy.boundAddress("garbage").getPort())) {
          byte[] junk = new byte[1 + random.nextInt(2000)];
          random.nextBytes(junk);
          if (i % 3 == 0) {
            junk[0] = 0; // a plausible small length word, then junk
          }
          OutputStream out = s.getOutputStream();
          out.write(junk);
          out.flush();
        } catch (java.net.SocketException closedByProxy) {
          // refused mid-write: fine
        }
      }
      // The last sockets may still wait in the accept queue, and a leak check that runs before the
      // proxy has even accepted them sees zero connections and passes, or catches one mid-accept.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (proxy.metrics().get(0).connectionsAccepted() < 300 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(proxy.metrics().get(0).connectionsAccepted()).as("garbage connections accepted").isEqualTo(300);
      FaultsTest.assertNothingLeft(proxy);
      assertThat(Thread.activeCount() - threadsBefore).as("no thread per connection").isLessThanOrEqualTo(4);
      try (var c = Fixture.connect(proxy.boundAddress("garbage"), f.verifyFull())) {
        assertThat(Fixture.query(c, "select 'still serving'")).isEqualTo("still serving");
      }
    }
  }

  @Test
  void anExpiredProxyCertificateFailsTheBuildNamingRouteAndFile() {
    IssuedCertificate expired = f.pki.expiredServer("pgtls-expired", "localhost");
    assertThatThrownBy(() -> PgTlsProxy.builder().route(f.plainRoute("stale")
        .tls(ListenerTls.pem(expired.certificateFile(), expired.privateKeyFile())).build()).build())
        .isInstanceOf(PgTlsException.class)
        .hasMessageStartingWith("route 'stale': listener server_cert " + expired.certificateFile()
            + ": the certificate expired on ");
  }
}
