package io.pgtls.boringssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client offering ALPN without "postgresql" to a proxy on the BoringSSL engine gets PostgreSQL's
 * answer, a fatal no_application_protocol alert (120), and no connection; one offering
 * "postgresql" among others completes its handshake. The engine could not refuse the first on its
 * own: pgtls does, from the ClientHello.
 */
class ProxyAlpnRefusalTest {
  @TempDir
  static Path dir;
  static Pki pki;
  static PgTlsProxy proxy;
  static int port;

  @BeforeAll
  static void start() {
    NativeLibrary.require();
    pki = new Pki(dir);
    proxy = PgTlsProxy.builder().name("alpn").loops(1).tlsEngine(new BoringSslEngineFactory())
        .route(Route.builder("main").listen("127.0.0.1:0")
            .tls(ListenerTls.pem(pki.server.certificateFile(), pki.server.keyFile()))
            // Never reached: every client here ends in its handshake or right after it.
            .backend("127.0.0.1:9").backendTls(BackendTls.disabled()).build())
        .build().start();
    port = proxy.boundAddress("main").getPort();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void theProxyServesOnTheBoringSslEngine() {
    assertThat(proxy.tlsEngines()).isEqualTo(Map.of("main", "boringssl"));
    assertThat(new BoringSslEngineFactory().describe()).contains("BoringSSL").contains("netty-tcnative 2.0.84");
  }

  @Test
  void aClientOfferingOnlyH2GetsAlert120AndNoConnection() {
    assertThatThrownBy(() -> handshake("h2")).isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("no_application_protocol");
  }

  @Test
  void aClientOfferingPostgresqlAmongOthersIsServed() throws Exception {
    try (SSLSocket s = handshake("h2", "postgresql")) {
      assertThat(s.getApplicationProtocol()).isEqualTo("postgresql");
    }
  }

  @Test
  void aClientOfferingNoAlpnIsServed() throws Exception {
    try (SSLSocket s = handshake()) {
      assertThat(s.getApplicationProtocol()).isEmpty();
    }
  }

  /** SSLRequest, 'S', then a TLS 1.3 handshake offering {@code alpn} (none when empty). */
  private static SSLSocket handshake(String... alpn) throws Exception {
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    raw.setSoTimeout(10_000);
    OutputStream out = raw.getOutputStream();
    out.write(ByteBuffer.allocate(8).putInt(8).putInt(80877103).array());
    out.flush();
    assertThat(new DataInputStream(raw.getInputStream()).readByte()).isEqualTo((byte) 'S');
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", pki.ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "localhost", port, true);
    SSLParameters p = s.getSSLParameters();
    p.setProtocols(new String[] {"TLSv1.3"});
    p.setEndpointIdentificationAlgorithm("HTTPS");
    if (alpn.length > 0) {
      p.setApplicationProtocols(alpn);
    }
    s.setSSLParameters(p);
    try {
      s.startHandshake();
    } catch (Exception e) {
      s.close();
      throw e;
    }
    return s;
  }
}
