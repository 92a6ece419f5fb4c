package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import io.pgtls.internal.tls.ClientHelloPeek.Result;
import io.pgtls.internal.tls.ClientHelloPeek.Verdict;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ClientHellos written by OpenSSL, the library libpq uses, which sends server names the JDK
 * cannot. Runs {@code openssl s_client} against a socket on 127.0.0.1 that only listens; skipped
 * with a reason when openssl is not installed, and failed instead under CI=true (the rule of the
 * testkit's ClientTools).
 */
class ClientHelloPeekOpenSslTest {
  private static final long TIMEOUT_MS = 10_000;

  @Test
  void anUnderscoreNameFromOpenSslComesThroughWithItsAlpn() throws Exception {
    Result r = helloFromOpenSsl("pg_primary");
    assertThat(r.serverName()).isEqualTo("pg_primary");
    assertThat(r.alpnProtocols()).containsExactly("postgresql");
  }

  @Test
  void aTrailingDotNameFromOpenSslComesThroughAsSent() throws Exception {
    assertThat(helloFromOpenSsl("db.example.com.").serverName()).isEqualTo("db.example.com.");
  }

  /** Starts s_client with SNI {@code serverName} and ALPN postgresql, and peeks at what it sends. */
  static Result helloFromOpenSsl(String serverName) throws Exception {
    String openssl = requireOpenSsl();
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setSoTimeout((int) TIMEOUT_MS);
      Process p = new ProcessBuilder(openssl, "s_client", "-connect", "127.0.0.1:" + listener.getLocalPort(),
          "-servername", serverName, "-alpn", "postgresql")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      try (Socket s = listener.accept()) {
        p.getOutputStream().close();
        Result r = readHello(s);
        assertThat(r.verdict()).as("%s", r).isEqualTo(Verdict.HELLO);
        assertThat(r.offersTls13()).isTrue();
        return r;
      } finally {
        p.destroyForcibly();
        p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Reads until the peek has a verdict, or the deadline passes. */
  private static Result readHello(Socket s) throws Exception {
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    ByteBuffer buf = ByteBuffer.allocate(ClientHelloPeek.MAX_CLIENT_HELLO + 1024);
    InputStream in = s.getInputStream();
    byte[] chunk = new byte[4096];
    while (true) {
      int left = (int) (deadline - System.currentTimeMillis());
      if (left <= 0) {
        throw new AssertionError("no whole ClientHello within " + TIMEOUT_MS + " ms: " + buf.position() + " bytes");
      }
      s.setSoTimeout(left);
      int n;
      try {
        n = in.read(chunk, 0, Math.min(chunk.length, buf.remaining()));
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no whole ClientHello within " + TIMEOUT_MS + " ms", e);
      }
      if (n < 0) {
        throw new AssertionError("openssl closed after " + buf.position() + " bytes");
      }
      buf.put(chunk, 0, n);
      Result r = ClientHelloPeek.peek(buf.duplicate().flip());
      if (r.verdict() != Verdict.NEED_MORE) {
        return r;
      }
    }
  }

  private static String requireOpenSsl() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "openssl");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    String reason = "openssl is not on the PATH";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
    return null;
  }
}
