package io.pgtls.boringssl;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No native memory outlives its use on a proxy running the BoringSSL engine: each connection's
 * engine is released when it ends; a certificate reload retires the route's contexts while a
 * session still uses one, which is freed after that session's engine; closing the proxy frees the
 * rest.
 */
class ProxyEngineLifecycleTest {
  @TempDir
  Path dir;

  @Test
  void enginesAndContextsAreFreedAfterSessionsAReloadAndClose() throws Exception {
    NativeLibrary.require();
    Pki pki = new Pki(dir);
    int enginesBefore = NettyEngineMaker.liveEnginesInJvm();
    int contextsBefore = NettyEngineMaker.liveContextsInJvm();
    List<Socket> backendSide = new ArrayList<>();
    try (ServerSocket backend = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            Socket s = backend.accept();
            synchronized (backendSide) {
              backendSide.add(s); // holds the session open; reads nothing back
            }
          }
        } catch (Exception closed) {
          // the test is over
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      PgTlsProxy proxy = PgTlsProxy.builder().name("lifecycle").loops(1).tlsEngine(new BoringSslEngineFactory())
          .route(Route.builder("main").listen("127.0.0.1:0")
              .tls(ListenerTls.pem(pki.server.certificateFile(), pki.server.keyFile()))
              .backend("127.0.0.1:" + backend.getLocalPort()).backendTls(BackendTls.disabled()).build())
          .build().start();
      int port = proxy.boundAddress("main").getPort();
      // One listener context (a plaintext backend leg has none).
      assertThat(NettyEngineMaker.liveContextsInJvm()).isEqualTo(contextsBefore + 1);

      SSLSocket first = session(pki, port);
      await(NettyEngineMaker::liveEnginesInJvm, enginesBefore + 1);
      assertThat(proxy.reloadCertificates()).isEmpty();
      // The first context is retired but its engine is live: both contexts exist.
      assertThat(NettyEngineMaker.liveContextsInJvm()).isEqualTo(contextsBefore + 2);
      SSLSocket second = session(pki, port);
      await(NettyEngineMaker::liveEnginesInJvm, enginesBefore + 2);

      first.close();
      backendOf(backendSide, 0).close(); // the backend hangs up too: pgtls does not wait for it
      await(NettyEngineMaker::liveEnginesInJvm, enginesBefore + 1);
      await(NettyEngineMaker::liveContextsInJvm, contextsBefore + 1); // the old one went with its engine
      second.close();
      backendOf(backendSide, 1).close();
      await(NettyEngineMaker::liveEnginesInJvm, enginesBefore);
      proxy.close();
      assertThat(NettyEngineMaker.liveContextsInJvm()).isEqualTo(contextsBefore);
    } finally {
      synchronized (backendSide) {
        for (Socket s : backendSide) {
          s.close();
        }
      }
    }
  }

  /** SSLRequest, TLS, a StartupMessage: a session relaying to the backend. */
  private static SSLSocket session(Pki pki, int port) throws Exception {
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    raw.setSoTimeout(10_000);
    OutputStream out = raw.getOutputStream();
    out.write(ByteBuffer.allocate(8).putInt(8).putInt(80877103).array());
    assertThat(new DataInputStream(raw.getInputStream()).readByte()).isEqualTo((byte) 'S');
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", pki.ca.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "localhost", port, true);
    s.startHandshake();
    byte[] params = "user\0alice\0database\0app\0\0".getBytes(StandardCharsets.US_ASCII);
    s.getOutputStream().write(ByteBuffer.allocate(8 + params.length).putInt(8 + params.length).putInt(196608)
        .put(params).array());
    s.getOutputStream().flush();
    return s;
  }

  private static Socket backendOf(List<Socket> backendSide, int i) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      synchronized (backendSide) {
        if (backendSide.size() > i) {
          return backendSide.get(i);
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("pgtls did not connect session " + i + " to the backend");
  }

  private static void await(IntSupplier count, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (count.getAsInt() != expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(count.getAsInt()).isEqualTo(expected);
  }
}
