package io.pgtls.benchmarks;

import io.pgtls.internal.tls.TlsSession;
import io.pgtls.tls.ClientTlsSpec;
import io.pgtls.tls.ServerTlsSpec;
import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.tls.TlsEngineMaker;
import io.pgtls.tls.TlsEngines;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TlsMaterial;
import io.pgtls.tls.TrustMaterial;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One full TLS 1.3 handshake, both ends pumped in memory (no sockets): a server-mode engine as
 * pgtls makes for a client connection ({@link TlsContexts#serverWithoutResumption}, {@link TlsContexts#serverEngine},
 * ALPN "postgresql") against a client-mode engine as pgtls makes toward a backend ({@link
 * TlsContexts#client}, {@link TlsContexts#clientEngine}: SNI, verify-full host name check, PKIX
 * validation of the chain, remembered after the first as the backend leg remembers it), new engines
 * each operation, no session ticket (pgtls's listener sends none). Each operation is thus the TLS work of one proxied connection: pgtls is
 * the server of one handshake and the client of the other. Certificates: an ECDSA P-256 CA and a
 * P-256 leaf for {@code localhost} it issued, as {@code run.sh}'s openssl makes them.
 *
 * <p>Besides JMH's time per operation (wall time, which on a busy machine includes waiting for a
 * core), the forked JVM prints the CPU time per handshake pair after each iteration and over the
 * measurement iterations: the benchmark thread's ({@link ThreadMXBean#getCurrentThreadCpuTime()};
 * the delegated tasks run on it, inline), the figure to compare with a proxy's CPU per new
 * connection, and the whole JVM's (JIT compiler and GC threads included).
 *
 * <p>Every operation is a full handshake: the client's session cache is emptied after each one,
 * and the bytes the server sends are checked against those of the first handshake (a resumption
 * would send no certificate). PostgreSQL sends no tickets, so pgtls never resumes toward it.
 *
 * <p>Not the same as production in one respect: both ends here are JDK engines and agree on X25519,
 * while the JDK client sends two key shares (X25519 and P-256) and PostgreSQL 15 ({@code
 * ssl_ecdh_curve} allows P-256 only) takes the second: on the JDK's own crypto a real backend
 * handshake costs somewhat more than its half of this one.
 *
 * <p>Forks with {@code bin/pgtls}'s JVM options and the launcher's
 * {@code jdk.tls.server.disableExtensions=server_name}; one fork per parameter combination, since
 * {@code crypto} changes the JVM's providers ({@code -f 0} would mix them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// The JIT compiles the handshake code only after thousands of handshakes: measured here, the CPU per
// pair kept falling for 3,000-5,000 of them (about 40 s on two loaded cores). 3 x 20 s covers that.
@Warmup(iterations = 3, time = 20)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xms16m", "-Djdk.tls.server.disableExtensions=server_name"})
public class HandshakeBenchmark {
  /** The JCA provider under the JDK's TLS engine: the JDK's own, or the Amazon Corretto Crypto Provider. */
  @Param({"jdk", "accp"})
  public String crypto;

  /** The TLS engine, by the name {@code tls_engine} takes: the JDK's, or BoringSSL (pgtls-boringssl). */
  @Param({"jdk", "boringssl"})
  public String engine;

  private static final String HOST = "localhost";
  private static final int PORT = 5432;

  /** The two ends of one handshake, made as pgtls makes them for a route. */
  /** pgtls's two makers of one route, from its engine seam ({@code TlsEngineFactory}). */
  record Engines(TlsEngineMaker listener, TlsEngineMaker backend) {
    /** pgtls's client leg: a server-mode engine, for a ClientHello that offers TLS 1.3. */
    TlsSession listenerSession() {
      SSLEngine e = listener.newEngine(true);
      return new TlsSession(e, () -> listener.release(e));
    }

    /** pgtls's backend leg: a client-mode engine toward {@value #HOST}. */
    TlsSession backendSession() {
      SSLEngine e = backend.newEngine();
      return new TlsSession(e, () -> backend.release(e));
    }
  }

  private Engines engines;
  private final ByteBuffer c2s = ByteBuffer.allocate(64 * 1024);
  private final ByteBuffer s2c = ByteBuffer.allocate(64 * 1024);
  private final ByteBuffer plain = ByteBuffer.allocate(64 * 1024);
  /** What the server sends in a full handshake (certificate included), from the first one. */
  private int fullServerBytes;
  private int lastServerBytes;

  /**
   * CPU per handshake pair, printed by the forked JVM after each iteration and, over the
   * measurement iterations, at the end of the trial. (JMH's aux counters cannot carry it: it sums
   * {@code EVENTS} over iterations and normalises {@code OPERATIONS} by time.)
   */
  @State(Scope.Thread)
  public static class Cpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long handshakes;
    private long threadNanos;
    private long processStart;
    private long processNanos;
    private long measuredHandshakes;
    private long measuredThreadNanos;
    private long measuredProcessNanos;

    @Setup(Level.Iteration)
    public void reset() {
      if (!THREADS.isCurrentThreadCpuTimeSupported()) {
        throw new IllegalStateException("this JVM cannot measure a thread's CPU time");
      }
      handshakes = 0;
      threadNanos = 0;
      processStart = OS.getProcessCpuTime();
    }

    long start() {
      return THREADS.getCurrentThreadCpuTime();
    }

    void stop(long start) {
      threadNanos += THREADS.getCurrentThreadCpuTime() - start;
      handshakes++;
    }

    @TearDown(Level.Iteration)
    public void iteration(IterationParams iteration) {
      processNanos = OS.getProcessCpuTime() - processStart;
      System.out.printf(Locale.ROOT, "  CPU per handshake pair: thread %.3f ms, process %.3f ms (%d handshakes)%n",
          threadNanos / 1e6 / handshakes, processNanos / 1e6 / handshakes, handshakes);
      if (iteration.getType() == IterationType.MEASUREMENT) {
        measuredHandshakes += handshakes;
        measuredThreadNanos += threadNanos;
        measuredProcessNanos += processNanos;
      }
    }

    @TearDown(Level.Trial)
    public void trial(BenchmarkParams benchmark) {
      System.out.printf(Locale.ROOT, "%nCPU per handshake pair, %s, over the measurement iterations (%d handshakes):"
          + " benchmark thread %.3f ms, whole JVM %.3f ms%n", benchmark.getParam("crypto") + "/"
          + benchmark.getParam("engine") + " on Java " + Runtime.version(), measuredHandshakes,
          measuredThreadNanos / 1e6 / measuredHandshakes, measuredProcessNanos / 1e6 / measuredHandshakes);
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    installCrypto(crypto);
    Path dir = Files.createTempDirectory("pgtls-handshake");
    try {
      KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
      ec.initialize(256);
      KeyPair caKeys = ec.generateKeyPair();
      KeyPair leafKeys = ec.generateKeyPair();
      X509Certificate ca = SelfSigned.authority(caKeys, "benchmark CA");
      X509Certificate leaf = SelfSigned.issued(leafKeys, HOST, ca, caKeys.getPrivate(), BigInteger.TWO);
      Path caFile = SelfSigned.pem(dir.resolve("ca.crt"), "CERTIFICATE", ca.getEncoded());
      Path certFile = SelfSigned.pem(dir.resolve("proxy.crt"), "CERTIFICATE", leaf.getEncoded());
      Path keyFile = SelfSigned.pem(dir.resolve("proxy.key"), "PRIVATE KEY", leafKeys.getPrivate().getEncoded());
      engines = engines(engine, TlsMaterial.load(certFile, keyFile), TrustMaterial.load(caFile));
    } finally {
      for (String f : new String[] {"ca.crt", "proxy.crt", "proxy.key"}) {
        Files.deleteIfExists(dir.resolve(f));
      }
      Files.delete(dir);
    }
    // The first one sets the size of a full handshake; the next must match it.
    handshake(null);
    fullServerBytes = lastServerBytes;
    handshake(null);
  }

  /**
   * The makers pgtls builds for a route (RouteTls): the listener's with no client certificate asked
   * for, TLS 1.3 and 1.2; the backend's for verify-full and a direct-TLS backend (ALPN).
   */
  private static Engines engines(String name, TlsMaterial identity, TrustMaterial trust) {
    TlsEngineFactory factory = TlsEngines.named(name);
    factory.unavailability().ifPresent(why -> {
      throw new IllegalStateException("TLS engine '" + name + "' is not usable here: " + why);
    });
    return new Engines(
        factory.server(new ServerTlsSpec(identity, null, null, false, List.of(), List.of())),
        factory.client(new ClientTlsSpec(trust, null, HOST, PORT, true, List.of("TLSv1.3", "TLSv1.2"),
            List.of(TlsContexts.ALPN_POSTGRESQL))));
  }

  @Benchmark
  public int handshake(Cpu cpu) throws Exception {
    long start = cpu == null ? 0 : cpu.start();
    TlsSession server = engines.listenerSession();
    TlsSession client = engines.backendSession();
    client.begin();
    server.begin();
    c2s.clear();
    s2c.clear();
    int serverBytes = 0;
    for (int flights = 0; ; flights++) {
      if (flights > 20) {
        throw new IllegalStateException("the handshake did not finish in 20 flights");
      }
      s2c.flip();
      step(client, s2c, c2s);
      s2c.compact();
      int before = s2c.position();
      c2s.flip();
      step(server, c2s, s2c);
      c2s.compact();
      serverBytes += s2c.position() - before;
      // Done when both are through: nothing in flight, nothing to do.
      if (client.handshakeComplete() && server.handshakeComplete() && c2s.position() == 0 && s2c.position() == 0
          && !client.isHandshaking() && !server.isHandshaking()) {
        break;
      }
    }
    server.release();
    client.release();
    if (cpu != null) {
      cpu.stop(start);
    }
    lastServerBytes = serverBytes;
    if (fullServerBytes != 0 && serverBytes < fullServerBytes - 64) {
      throw new IllegalStateException("a resumed handshake? the server sent " + serverBytes + " bytes, a full "
          + "handshake " + fullServerBytes);
    }
    if (!"TLSv1.3".equals(client.protocol()) || !TlsContexts.ALPN_POSTGRESQL.equals(server.applicationProtocol())) {
      throw new IllegalStateException("negotiated " + client.protocol() + ", ALPN '" + server.applicationProtocol() + "'");
    }
    return serverBytes;
  }

  /** Lets one end take all its input and produce its answer, running its delegated tasks inline. */
  private void step(TlsSession end, ByteBuffer in, ByteBuffer out) throws Exception {
    while (true) {
      plain.clear();
      TlsSession.Status status = end.receive(in, plain, out);
      if (plain.position() != 0) {
        throw new IllegalStateException("application data in a handshake");
      }
      if (status != TlsSession.Status.NEED_TASK) {
        return;
      }
      end.delegatedTasks().run();
    }
  }

  /**
   * As the launcher's {@code CryptoProviders} applies {@code crypto_provider} ("jdk" and "accp"):
   * the Amazon Corretto Crypto Provider, loaded, healthy, first in line; or none of it.
   */
  private static void installCrypto(String choice) throws Exception {
    String name = "AmazonCorrettoCryptoProvider";
    if (choice.equals("jdk")) {
      Security.removeProvider(name);
      return;
    }
    if (!choice.equals("accp")) {
      throw new IllegalArgumentException("crypto is jdk or accp, not " + choice);
    }
    Class<?> type;
    try {
      type = Class.forName("com.amazon.corretto.crypto.provider." + name);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("this build of the benchmarks has no Amazon Corretto Crypto Provider "
          + "(native builds for Linux x86_64 and aarch64 only)", e);
    }
    Provider provider = (Provider) type.getField("INSTANCE").get(null);
    Object loadingError = type.getMethod("getLoadingError").invoke(provider);
    if (loadingError instanceof Throwable error) {
      throw new IllegalStateException("its native library did not load: " + error, error);
    }
    try {
      type.getMethod("assertHealthy").invoke(provider);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("it failed its self-tests: " + e.getCause(), e.getCause());
    }
    Security.removeProvider(name);
    Security.insertProviderAt(provider, 1);
    if (!Security.getProviders()[0].getName().equals(name)) {
      throw new IllegalStateException("it is not the first provider");
    }
  }
}
