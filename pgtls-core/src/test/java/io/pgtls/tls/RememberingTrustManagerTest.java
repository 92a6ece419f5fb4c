package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.tls.TestPki.Issued;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RememberingTrustManagerTest {
  @TempDir
  static Path dir;

  private static TrustMaterial caTrust;
  private static SSLContext localhostServer;

  @BeforeAll
  static void pki() throws Exception {
    Issued ca = TestPki.ca("pgtls test CA");
    caTrust = TrustMaterial.load(TestPki.writeCertificates(dir.resolve("ca.crt"), ca));
    Issued server = TestPki.server(ca, "localhost", "localhost", "127.0.0.1");
    TlsMaterial identity = TlsMaterial.load(TestPki.writeCertificates(dir.resolve("s.crt"), server),
        TestPki.writePkcs8Key(dir.resolve("s.key"), server));
    localhostServer = TlsContexts.serverWithoutResumption(identity, null, null);
  }

  @Test
  void aBackendsChainIsVerifiedInFullOnceThenRecognised() throws Exception {
    Counting pkix = new Counting(jdkPkix());
    SSLContext client = contextWith(new RememberingTrustManager(pkix));
    for (int i = 0; i < 3; i++) {
      EnginePump.handshake(TlsContexts.clientEngine(client, "localhost", 5432, true, null), server());
    }
    assertThat(pkix.calls.get()).as("full checks").isEqualTo(1);
  }

  @Test
  void aRememberedChainStillFailsForAnotherHostName() throws Exception {
    Counting pkix = new Counting(jdkPkix());
    SSLContext client = contextWith(new RememberingTrustManager(pkix));
    EnginePump.handshake(TlsContexts.clientEngine(client, "localhost", 5432, true, null), server());
    assertThatThrownBy(() -> EnginePump.handshake(
        TlsContexts.clientEngine(client, "db.other.example", 5432, true, null), server()))
        .isInstanceOf(SSLHandshakeException.class);
    assertThat(pkix.calls.get()).isEqualTo(2);
  }

  @Test
  void aChainThatFailedIsNeverRemembered() throws Exception {
    Counting pkix = new Counting(jdkPkix());
    RememberingTrustManager remembering = new RememberingTrustManager(pkix);
    SSLContext client = contextWith(remembering);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> EnginePump.handshake(
          TlsContexts.clientEngine(client, "db.other.example", 5432, true, null), server()))
          .isInstanceOf(SSLHandshakeException.class);
    }
    assertThat(pkix.calls.get()).isEqualTo(2);
    assertThat(remembering.remembered()).isZero();
  }

  private static SSLEngine server() {
    return TlsContexts.serverEngine(localhostServer, false, null);
  }

  private static X509ExtendedTrustManager jdkPkix() {
    return (X509ExtendedTrustManager) caTrust.trustManagers()[0];
  }

  private static SSLContext contextWith(X509ExtendedTrustManager trust) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {trust}, null);
    return context;
  }

  /** The JDK's PKIX trust manager, counting its server checks. */
  private static final class Counting extends X509ExtendedTrustManager {
    final AtomicInteger calls = new AtomicInteger();
    private final X509ExtendedTrustManager delegate;

    Counting(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      calls.incrementAndGet();
      delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
