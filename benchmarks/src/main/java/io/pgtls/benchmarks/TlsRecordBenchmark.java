package io.pgtls.benchmarks;

import io.pgtls.internal.tls.TlsSession;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The relay's hot path for one record: the client's record is unwrapped by the proxy's
 * server-side session, and the plaintext wrapped again by its backend-side session (TLS->TLS), as
 * {@code Leg.fill} and {@code Leg.drain} do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TlsRecordBenchmark {
  @Param({"64", "1024", "16384"})
  public int recordBytes;

  /** The TLS 1.3 suite all three sessions use. */
  @Param({"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"})
  public String cipherSuite;

  private TlsSession clientSide; // stands in for the client: produces records
  private TlsSession proxyServer; // the proxy's client leg
  private TlsSession proxyClient; // the proxy's backend leg
  private final ByteBuffer wire = ByteBuffer.allocate(20 * 1024);
  private final ByteBuffer plain = ByteBuffer.allocate(20 * 1024);
  private final ByteBuffer out = ByteBuffer.allocate(20 * 1024);
  private final ByteBuffer scratch = ByteBuffer.allocate(20 * 1024);
  private ByteBuffer payload;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    SSLContext server = serverContext();
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, new TrustManager[] {new TrustAll()}, null);
    clientSide = handshake(client, server);
    proxyServer = lastServer;
    proxyClient = handshake(client, server);
    payload = ByteBuffer.allocate(recordBytes);
  }

  private TlsSession lastServer;

  private TlsSession handshake(SSLContext clientCtx, SSLContext serverCtx) throws Exception {
    SSLEngine c = clientCtx.createSSLEngine("localhost", 5432);
    c.setUseClientMode(true);
    c.setEnabledCipherSuites(new String[] {cipherSuite});
    SSLEngine s = serverCtx.createSSLEngine();
    s.setUseClientMode(false);
    s.setEnabledCipherSuites(new String[] {cipherSuite});
    TlsSession cs = new TlsSession(c);
    TlsSession ss = new TlsSession(s);
    cs.begin();
    ss.begin();
    ByteBuffer c2s = ByteBuffer.allocate(64 * 1024);
    ByteBuffer s2c = ByteBuffer.allocate(64 * 1024);
    ByteBuffer junk = ByteBuffer.allocate(64 * 1024);
    for (int i = 0; i < 100; i++) {
      s2c.flip();
      if (cs.receive(s2c, junk, c2s) == TlsSession.Status.NEED_TASK) {
        cs.delegatedTasks().run();
      }
      s2c.compact();
      c2s.flip();
      if (ss.receive(c2s, junk, s2c) == TlsSession.Status.NEED_TASK) {
        ss.delegatedTasks().run();
      }
      c2s.compact();
      junk.clear();
    }
    lastServer = ss;
    return cs;
  }

  @Benchmark
  public int unwrapThenWrap() throws Exception {
    payload.clear();
    wire.clear();
    clientSide.send(payload, wire); // outside the proxy: the client's record
    wire.flip();
    plain.clear();
    out.clear();
    proxyServer.receive(wire, plain, scratch); // the proxy decrypts ...
    plain.flip();
    proxyClient.send(plain, out); // ... and encrypts toward the backend
    scratch.clear();
    return out.position();
  }

  private static SSLContext serverContext() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair kp = g.generateKeyPair();
    Certificate cert = SelfSigned.certificate(kp, "localhost", BigInteger.ONE);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("k", kp.getPrivate(), new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** The benchmark checks nothing: it measures record processing, not verification. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}
