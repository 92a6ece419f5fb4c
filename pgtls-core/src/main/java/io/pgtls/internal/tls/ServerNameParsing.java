package io.pgtls.internal.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Whether this JVM's TLS server engines take every server name PostgreSQL accepts.
 *
 * <p>JDK quirk (JDK 17 and later, {@code sun.security.ssl.ServerNameExtension}): a server engine
 * parses the client's server_name into an {@link SNIHostName}, whose strict LDH rules refuse names
 * such as {@code pg_primary} (libpq sends its {@code host} as is, underscores included, as Docker
 * Compose names have them) and {@code db.example.com.}; the handshake then fails with an
 * {@code illegal_parameter} alert. OpenSSL, and so PostgreSQL, accepts both. The only switch is
 * JVM-wide and read once, when the JDK's TLS code first loads: {@code
 * -Djdk.tls.server.disableExtensions=server_name}. With it the engine ignores the extension, and
 * pgtls, which reads the server name from the ClientHello itself, loses nothing.
 */
public final class ServerNameParsing {
  private static volatile Boolean acceptsAny;

  private ServerNameParsing() {}

  /** Probes once per JVM (a ClientHello naming {@code a_b.test} fed to a server engine in memory). */
  public static boolean jvmAcceptsEveryName() {
    Boolean known = acceptsAny;
    if (known == null) {
      known = probe();
      acceptsAny = known;
    }
    return known;
  }

  private static boolean probe() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, null, null);
      SSLEngine client = ctx.createSSLEngine("a.b.test", 5432);
      client.setUseClientMode(true);
      SSLParameters p = client.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName("a.b.test")));
      client.setSSLParameters(p);
      ByteBuffer hello = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
      client.wrap(ByteBuffer.allocate(0), hello);
      hello.flip();
      byte[] name = "a.b.test".getBytes(StandardCharsets.US_ASCII);
      int at = indexOf(hello, name);
      if (at < 0) {
        return false;
      }
      hello.put(at + 1, (byte) '_'); // a_b.test: the same length, so every length field still holds
      SSLEngine server = ctx.createSSLEngine();
      server.setUseClientMode(false);
      ByteBuffer plain = ByteBuffer.allocate(server.getSession().getApplicationBufferSize());
      SSLEngineResult r = server.unwrap(hello, plain);
      Runnable task;
      while ((task = server.getDelegatedTask()) != null) {
        task.run();
      }
      server.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(server.getSession().getPacketBufferSize()));
      return r.getStatus() != SSLEngineResult.Status.CLOSED;
    } catch (SSLException e) {
      // Refusing the name is the quirk; any other failure (no certificate here) came after it.
      return !String.valueOf(e.getMessage()).contains("Illegal server name");
    } catch (Exception e) {
      return false;
    }
  }

  private static int indexOf(ByteBuffer b, byte[] needle) {
    outer:
    for (int i = b.position(); i <= b.limit() - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (b.get(i + j) != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
