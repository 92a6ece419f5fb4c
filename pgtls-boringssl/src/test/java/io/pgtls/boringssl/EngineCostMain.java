package io.pgtls.boringssl;

import io.pgtls.boringssl.Sides.Side;
import io.pgtls.tls.ClientTlsSpec;
import io.pgtls.tls.ServerTlsSpec;
import io.pgtls.tls.TlsEngineMaker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLEngine;

/**
 * What a JVM option costs the BoringSSL engine (e.g. -Dio.netty.noUnsafe=true against
 * --sun-misc-unsafe-memory-access=allow on Java 25): CPU per full handshake and per 64 B / 8 KiB
 * record (client wrap + server unwrap), through TlsSession, in memory. Not a test: run it by hand,
 * the same number of rounds per option, interleaved, and compare medians.
 *
 * <pre>java [option] -cp TEST_CLASSPATH io.pgtls.boringssl.EngineCostMain [rounds]</pre>
 */
public final class EngineCostMain {
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path dir = Files.createTempDirectory("engine-cost");
    Pki pki = new Pki(dir);
    BoringSslEngineFactory f = new BoringSslEngineFactory();
    TlsEngineMaker servers = f.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null, false, List.of(),
        List.of()));
    TlsEngineMaker clients = f.client(new ClientTlsSpec(pki.trust(), null, "localhost", 5432, true, List.of(),
        List.of()));
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < rounds; round++) {
      int handshakes = 300;
      long t0 = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < handshakes; i++) {
        Side c = side("c", clients);
        Side s = side("s", servers);
        Sides.handshake(c, s);
        c.session.release();
        s.session.release();
      }
      long handshakeNs = (cpu.getCurrentThreadCpuTime() - t0) / handshakes;
      Side c = side("c", clients);
      Side s = side("s", servers);
      Sides.handshake(c, s);
      long small = records(c, s, new byte[64], 50_000);
      long large = records(c, s, new byte[8192], 10_000);
      c.session.release();
      s.session.release();
      System.out.printf("round %d: handshake %d us, 64 B record %d ns, 8 KiB record %d ns%n", round,
          handshakeNs / 1000, small, large);
    }
    servers.retire();
    clients.retire();
  }

  private static Side side(String name, TlsEngineMaker maker) {
    SSLEngine e = maker.newEngine();
    return new Side(name, e, () -> maker.release(e));
  }

  private static long records(Side c, Side s, byte[] payload, int n) throws Exception {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long t0 = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      c.send(payload);
      Sides.transfer(c, s);
      s.pass();
      s.received.reset();
    }
    return (cpu.getCurrentThreadCpuTime() - t0) / n;
  }
}
