package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.PgTlsProxy;
import io.pgtls.testkit.junit.StartStop;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TrustMaterial;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** TLS negotiation variants: a pipelined ClientHello, ALPN offers, libpq 17 on both paths. */
class PipelinedClientHelloTest {
  private static final Fixture f = Fixture.get();

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(f.plainRoute("plain").build()));

  private static int port() {
    return proxy.boundAddress("plain").getPort();
  }

  @Test
  void clientHelloPipelinedRightBehindTheSslRequestIsTlsInputLikePostgres17() throws Exception {
    SSLEngine engine = TlsContexts.clientEngine(TlsContexts.client(TrustMaterial.load(f.pki.caCertificateFile()), null),
        "localhost", port(), true, null);
    engine.beginHandshake();
    ByteBuffer out = ByteBuffer.allocate(32 * 1024);
    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    ByteBuffer plain = ByteBuffer.allocate(32 * 1024);
    out.put(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
    engine.wrap(ByteBuffer.allocate(0), out); // the ClientHello, behind the SSLRequest
    try (Socket s = new Socket("127.0.0.1", port())) {
      s.setSoTimeout(10_000);
      OutputStream os = s.getOutputStream();
      InputStream is = s.getInputStream();
      os.write(out.array(), 0, out.position()); // one write: both together
      out.clear();
      assertThat((char) is.read()).isEqualTo('S');
      byte[] chunk = new byte[16 * 1024];
      for (int round = 0; round < 200 && engine.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING; round++) {
        switch (engine.getHandshakeStatus()) {
          case NEED_TASK:
            engine.getDelegatedTask().run();
            break;
          case NEED_WRAP:
            engine.wrap(ByteBuffer.allocate(0), out);
            os.write(out.array(), 0, out.position());
            out.clear();
            break;
          default:
            in.flip();
            var r = engine.unwrap(in, plain);
            in.compact();
            if (r.getStatus() == javax.net.ssl.SSLEngineResult.Status.BUFFER_UNDERFLOW) {
              int n = is.read(chunk);
              assertThat(n).as("the proxy kept the connection open").isPositive();
              in.put(chunk, 0, n);
            }
        }
      }
      assertThat(engine.getHandshakeStatus()).isEqualTo(HandshakeStatus.NOT_HANDSHAKING);
      assertThat(engine.getSession().getProtocol()).startsWith("TLSv1.");
    }
  }

  @Test
  void alpnWithoutPostgresqlFailsTheHandshakeAsPostgresDoes() {
    assertThatThrownBy(() -> new RawTlsClient(port(), f.pki.caCertificateFile(), false, new String[] {"h2"}).close())
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("no_application_protocol");
  }

  @Test
  void alpnPostgresqlOnTheSslRequestPathIsSelected() throws Exception {
    try (RawTlsClient c = new RawTlsClient(port(), f.pki.caCertificateFile(), false, new String[] {"h2", "postgresql"})) {
      assertThat(c.applicationProtocol()).isEqualTo("postgresql");
    }
  }

  @Test
  void libpq17OnTheSslRequestPathOffersAlpnAndConnects() throws Exception {
    ClientTools.Result r = ClientTools.run(Map.of("PGPASSWORD", Fixture.PASSWORD,
        "LD_LIBRARY_PATH", f.postgres.libDirectory().toString()),
        ClientTools.require("psql"), "-X", "-A", "-t", "-d", f.conninfo(proxy.boundAddress("plain"), "verify-full")
            + " sslnegotiation=postgres", "-c", "select 'libpq 17'");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("libpq 17");
  }

  @Test
  void libpqSslmodeAllowRetriesOverTlsAfterThePlaintextRefusal() throws Exception {
    ClientTools.Result r = ClientTools.psql(f.conninfo(proxy.boundAddress("plain"), "allow"), Fixture.PASSWORD,
        "select ssl from pg_stat_ssl where pid = pg_backend_pid()");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).as("the backend leg of this route is plaintext").isEqualTo("f");
  }

  @Test
  void cancelRequestInsideDirectTlsIsForwarded() throws Exception {
    // The session on the trusting backend, then a cancel inside a direct-TLS connection.
    try (PgTlsProxy trustingProxy = Fixture.start(io.pgtls.Route.builder("t").listen("127.0.0.1:0")
            .tls(f.listenerTls()).backend("127.0.0.1:" + f.trusting().port())
            .backendTls(io.pgtls.BackendTls.disabled()).build());
        RawTlsClient session = new RawTlsClient(trustingProxy.boundAddress("t").getPort(), f.pki.caCertificateFile())) {
      session.startup(Fixture.USER, Fixture.DATABASE);
      session.query("select pg_sleep(60)");
      Thread.sleep(300);
      try (RawTlsClient canceller = new RawTlsClient(trustingProxy.boundAddress("t").getPort(),
          f.pki.caCertificateFile(), true, new String[] {"postgresql"})) {
        canceller.send(session.cancelRequest());
        assertThat(canceller.in.read()).isEqualTo(-1);
      }
      assertThatThrownBy(session::readUntilReady).hasMessageContaining("C57014");
    }
  }
}
