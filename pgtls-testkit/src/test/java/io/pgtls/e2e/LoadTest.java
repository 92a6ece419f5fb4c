package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.PgTlsProxy;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TrustMaterial;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load, only on 127.0.0.1 and bounded in count and time: thousands of idle TLS connections with
 * bounded memory and no thread per connection, many COPY streams at once with intact checksums,
 * and slow clients that cannot starve a real one.
 */
class LoadTest {
  private static final Logger log = LoggerFactory.getLogger(LoadTest.class);
  private static final int IDLE_CONNECTIONS = 4000;
  private final Fixture f = Fixture.get();

  @Test
  void thousandsOfIdleTlsConnectionsCostBoundedMemoryAndNoThreads() throws Exception {
    Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), ProxyProcessMain.class.getName(),
        f.proxyCertificate.certificateFile().toString(), f.proxyCertificate.privateKeyFile().toString(),
        f.pki.caCertificateFile().toString(), Integer.toString(f.trusting().port()), "true")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    List<SSLSocket> clients = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter in = new PrintWriter(proxy.getOutputStream(), true, StandardCharsets.UTF_8)) {
      String first = out.readLine();
      while (first != null && !first.startsWith("PORT ")) {
        first = out.readLine();
      }
      int port = Integer.parseInt(first.substring(5));
      long heap0 = ask(in, out, "heap");
      long threads0 = ask(in, out, "threads");
      SSLContext ctx = TlsContexts.client(TrustMaterial.load(f.pki.caCertificateFile()), null);
      for (int i = 0; i < IDLE_CONNECTIONS; i++) {
        clients.add(tlsConnection(ctx, port));
      }
      assertThat(ask(in, out, "active")).isEqualTo(IDLE_CONNECTIONS);
      long heap1 = ask(in, out, "heap");
      long threads1 = ask(in, out, "threads");
      long perConnection = (heap1 - heap0) / IDLE_CONNECTIONS;
      log.info("{} idle TLS connections: heap {} -> {} bytes, {} bytes each; threads {} -> {}", IDLE_CONNECTIONS,
          heap0, heap1, perConnection, threads0, threads1);
      assertThat(perConnection).as("heap per idle TLS connection").isLessThan(64 * 1024);
      assertThat(threads1 - threads0).as("no thread per connection").isLessThanOrEqualTo(4);
      assertThat(ask(in, out, "buffers")).as("an idle connection holds no pooled buffer").isZero();

      for (SSLSocket s : clients) {
        s.close();
      }
      clients.clear();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long active = IDLE_CONNECTIONS;
      while (active > 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
        active = ask(in, out, "active");
      }
      assertThat(active).as("all closed").isZero();
      assertThat(ask(in, out, "buffers")).as("nothing leaked").isZero();
    } finally {
      for (SSLSocket s : clients) {
        s.close();
      }
      proxy.destroy();
      proxy.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static SSLSocket tlsConnection(SSLContext ctx, int port) throws Exception {
    Socket plain = new Socket("127.0.0.1", port);
    plain.setSoTimeout(30_000);
    plain.getOutputStream().write(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
    if (plain.getInputStream().read() != 'S') {
      throw new AssertionError("no S");
    }
    SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, "localhost", port, true);
    tls.startHandshake();
    return tls;
  }

  private static long ask(PrintWriter in, BufferedReader out, String question) throws Exception {
    in.println(question);
    String line = out.readLine();
    while (line != null && !line.trim().matches("\\d+")) {
      line = out.readLine(); // a log line: skip
    }
    return Long.parseLong(line.trim());
  }

  @Test
  void manyConcurrentCopyStreamsBothWaysKeepTheirChecksums() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.tlsRoute("copy").build())) {
      try (Connection c = f.connectDirect(); Statement s = c.createStatement()) {
        s.execute("drop table if exists load_in");
        s.execute("create unlogged table load_in (stream int, n int, payload text)");
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> work = new ArrayList<>();
        for (int stream = 0; stream < 4; stream++) {
          int id = stream;
          work.add(pool.submit(() -> copyOutMatchesDirect(proxy, id)));
          work.add(pool.submit(() -> copyInArrivesIntact(proxy, id)));
        }
        for (Future<?> w : work) {
          w.get(5, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      FaultsTest.assertNothingLeft(proxy);
    }
  }

  private Void copyOutMatchesDirect(PgTlsProxy proxy, int id) throws Exception {
    String sql = "copy (select i, md5((i * " + (id + 7) + ")::text) from generate_series(1, 300000) i) to stdout";
    String via;
    try (Connection c = Fixture.connect(proxy.boundAddress("copy"), f.verifyFull())) {
      via = CopyChecksums.sha256(c, sql);
    }
    try (Connection c = f.connectDirect()) {
      assertThat(via).isEqualTo(CopyChecksums.sha256(c, sql));
    }
    return null;
  }

  private Void copyInArrivesIntact(PgTlsProxy proxy, int id) throws Exception {
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    StringBuilder chunk = new StringBuilder();
    try (Connection c = Fixture.connect(proxy.boundAddress("copy"), f.verifyFull())) {
      var copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy load_in from stdin");
      for (int n = 1; n <= 200_000; n++) {
        chunk.setLength(0);
        chunk.append(id).append('\t').append(n).append('\t').append("row-").append(n * 31L % 9973).append('\n');
        byte[] b = chunk.toString().getBytes(StandardCharsets.UTF_8);
        sent.update(b);
        copy.writeToCopy(b, 0, b.length);
      }
      copy.endCopy();
    }
    try (Connection c = f.connectDirect()) {
      String stored = CopyChecksums.sha256(c, "copy (select * from load_in where stream = " + id + " order by n) to stdout");
      assertThat(stored).isEqualTo(HexFormat.of().formatHex(sent.digest()));
    }
    return null;
  }


  @Test
  void slowClientsAreCutAtTheStartupTimeoutWhileARealClientIsServed() throws Exception {
    try (PgTlsProxy proxy = Fixture.start(f.plainRoute("slow").startupTimeout(Duration.ofSeconds(2)).build())) {
      int port = proxy.boundAddress("slow").getPort();
      List<Socket> slow = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(15_000);
        slow.add(s);
      }
      long start = System.nanoTime();
      // Half of them trickle the SSLRequest one byte at a time and never finish; half send nothing.
      Thread trickle = new Thread(() -> {
        byte[] req = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16};
        try {
          for (byte b : req) {
            for (int i = 0; i < slow.size(); i += 2) {
              slow.get(i).getOutputStream().write(b);
            }
            Thread.sleep(200);
          }
        } catch (Exception e) {
          // closed by the proxy: expected
        }
      });
      trickle.start();
      for (int i = 0; i < 5; i++) {
        ClientTools.Result r = ClientTools.psql(f.conninfo(proxy.boundAddress("slow"), "verify-full"), Fixture.PASSWORD,
            "select 'served'");
        assertThat(r.exitCode).as(r.toString()).isZero();
        assertThat(r.stdout.strip()).isEqualTo("served");
      }
      for (Socket s : slow) {
        InputStream in = s.getInputStream();
        int b;
        try {
          b = in.read();
        } catch (java.net.SocketException reset) {
          b = -1;
        }
        assertThat(b).as("cut by the proxy").isEqualTo(-1);
        s.close();
      }
      trickle.join();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("cut at the startup timeout, not later")
          .isLessThan(Duration.ofSeconds(15));
      FaultsTest.assertNothingLeft(proxy);
    }
  }
}
