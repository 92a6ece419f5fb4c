package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.ProxyProtocol;
import io.pgtls.testkit.junit.StartStop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * pgtls behind a real load balancer: Debian's HAProxy in TCP mode on 127.0.0.3, connecting to
 * pgtls from 127.0.0.2 with {@code send-proxy} (v1) or {@code send-proxy-v2}. psql goes through
 * it with sslmode=verify-full, and pgtls names psql, not HAProxy, as the client.
 */
class HaproxyTest {
  private static final Fixture f = Fixture.get();
  private static final String FRONTEND = "127.0.0.3";
  private static final String BALANCER = "127.0.0.2";

  @StartStop static final FixtureProxy proxy = FixtureProxy.of(() -> List.of(
      f.plainRoute("behind-haproxy").proxyProtocol(ProxyProtocol.trusting(BALANCER)).build()));

  @Test
  void psqlThroughHaproxySendProxyIsLoggedAsItselfViaTheBalancer() throws Exception {
    assertPsqlThroughHaproxy("send-proxy", "PROXY v1 TCP4");
  }

  @Test
  void psqlThroughHaproxySendProxyV2IsLoggedAsItselfViaTheBalancer() throws Exception {
    assertPsqlThroughHaproxy("send-proxy-v2", "PROXY v2 TCP4");
  }

  private void assertPsqlThroughHaproxy(String sendProxy, String described) throws Exception {
    String haproxy = OtherClients.haproxy();
    try (LogCapture log = LogCapture.connections();
        Haproxy balancer = Haproxy.start(haproxy, sendProxy, proxy.boundAddress("behind-haproxy").getPort())) {
      String conninfo = "host=localhost hostaddr=" + FRONTEND + " port=" + balancer.port + " dbname=" + Fixture.DATABASE
          + " user=" + Fixture.USER + " sslmode=verify-full sslrootcert=" + f.pki.caCertificateFile();
      ClientTools.Result r = ClientTools.psql(conninfo, Fixture.PASSWORD, "select current_user");
      assertThat(r.exitCode).as("%s%nHAProxy: %s", r, balancer.output()).isZero();
      assertThat(r.stdout.trim()).isEqualTo(Fixture.USER);

      String lines = log.awaitLine(": closed after");
      Matcher session = Pattern.compile("client=(\\S+):(\\d+) via=" + Pattern.quote(BALANCER) + ":(\\d+): session user="
          + Fixture.USER + " database=" + Fixture.DATABASE).matcher(lines);
      assertThat(session.find()).as("psql's session, tagged with its address and the balancer's, in%n%s", lines)
          .isTrue();
      String psql = session.group(1) + ":" + session.group(2);
      assertThat(session.group(1)).as("psql's address, not the balancer's").isNotEqualTo(BALANCER)
          .isEqualTo("127.0.0.1");
      assertThat(lines).as("the header HAProxy sent names psql and HAProxy's own frontend").contains("client=" + psql
          + " via=" + BALANCER + ":" + session.group(3) + ": PROXY protocol header: " + described + " " + psql + " -> "
          + FRONTEND + ":" + balancer.port);
    }
  }

  /** HAProxy as a process of this test, in TCP mode, until closed. */
  private static final class Haproxy implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path directory;
    private final Path output;

    private Haproxy(int port, Process process, Path directory, Path output) {
      this.port = port;
      this.process = process;
      this.directory = directory;
      this.output = output;
    }

    /** Listens on 127.0.0.3 and sends every connection to pgtls from 127.0.0.2, {@code sendProxy} first. */
    static Haproxy start(String haproxy, String sendProxy, int pgtlsPort) throws Exception {
      Path dir = Files.createTempDirectory("pgtls-haproxy-");
      int port = freePort(FRONTEND);
      Path cfg = dir.resolve("haproxy.cfg");
      Files.writeString(cfg, String.join("\n",
          "global",
          "  maxconn 100",
          "defaults",
          "  mode tcp",
          "  timeout connect 5s",
          "  timeout client 60s",
          "  timeout server 60s",
          "frontend postgres",
          "  bind " + FRONTEND + ":" + port,
          "  default_backend pgtls",
          "backend pgtls",
          "  server pgtls 127.0.0.1:" + pgtlsPort + " " + sendProxy + " source " + BALANCER,
          ""), StandardCharsets.UTF_8);
      Path output = dir.resolve("haproxy.log");
      Process p = new ProcessBuilder(haproxy, "-db", "-f", cfg.toString()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
      Haproxy h = new Haproxy(port, p, dir, output);
      try {
        h.awaitListening();
      } catch (Exception | AssertionError e) {
        h.close();
        throw e;
      }
      return h;
    }

    /** Waits up to 10 s for the frontend to accept connections. */
    private void awaitListening() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new AssertionError("HAProxy exited with " + process.exitValue() + ": " + output());
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(InetAddress.getByName(FRONTEND), port), 1_000);
          return;
        } catch (IOException notYet) {
          Thread.sleep(50);
        }
      }
      throw new AssertionError("HAProxy is not listening on " + FRONTEND + ":" + port + " after 10 s: " + output());
    }

    String output() {
      try {
        return Files.readString(output, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }

    /** Stops HAProxy (SIGTERM, then SIGKILL after 10 s) and waits for it to be gone. */
    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
      try (var files = Files.list(directory)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(directory);
    }
  }

  /** A port free on {@code host} a moment ago. */
  private static int freePort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return s.getLocalPort();
    }
  }
}
