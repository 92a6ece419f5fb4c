package io.pgtls.internal.tls;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;

/** ClientHellos as the JDK writes them, and a JDK server's reading of a hello, for cross-checks. */
final class JdkHellos {
  private JdkHellos() {}

  /** A client engine's first flight: one wrap of nothing. */
  static byte[] wrapFirst(SSLEngine client) throws Exception {
    client.setUseClientMode(true);
    ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
    client.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return b;
  }

  /** A hello from a default "TLS" client limited to {@code protocols}, with the given SNI and ALPN. */
  static byte[] hello(String[] protocols, List<String> serverNames, String... alpn) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, null, null);
    SSLEngine e = ctx.createSSLEngine();
    e.setUseClientMode(true);
    SSLParameters p = e.getSSLParameters();
    p.setProtocols(protocols);
    List<SNIServerName> names = new ArrayList<>();
    for (String n : serverNames) {
      names.add(new SNIHostName(n));
    }
    p.setServerNames(names);
    p.setApplicationProtocols(alpn);
    e.setSSLParameters(p);
    return wrapFirst(e);
  }

  static byte[] hello(String serverName, String... alpn) throws Exception {
    return hello(new String[] {"TLSv1.3", "TLSv1.2"}, List.of(serverName), alpn);
  }

  /** A hello from a client engine created for {@code peerHost}, SNI left to the JDK's default. */
  static byte[] helloForPeer(String peerHost) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, null, null);
    return wrapFirst(ctx.createSSLEngine(peerHost, 5432));
  }

  /**
   * Feeds {@code bytes} to a fresh JDK server engine until it has read the ClientHello, and
   * returns the host names it says the client requested. Fails if the engine does not get as far
   * as answering; a hello it refuses surfaces as the SSLException of its first wrap (the JDK keeps
   * a delegated task's failure for the next wrap or unwrap, and meanwhile wants to send the alert).
   */
  static List<String> serverReads(SSLContext server, byte[] bytes) throws Exception {
    SSLEngine e = server.createSSLEngine();
    e.setUseClientMode(false);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    ByteBuffer app = ByteBuffer.allocate(e.getSession().getApplicationBufferSize());
    while (in.hasRemaining() && e.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
      SSLEngineResult r = e.unwrap(in, app);
      Runnable task;
      while ((task = e.getDelegatedTask()) != null) {
        task.run();
      }
      if (r.bytesConsumed() == 0) {
        break;
      }
    }
    if (e.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
      throw new AssertionError("the JDK server did not get to answer: " + e.getHandshakeStatus());
    }
    e.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(e.getSession().getPacketBufferSize()));
    List<String> names = new ArrayList<>();
    for (SNIServerName n : ((ExtendedSSLSession) e.getHandshakeSession()).getRequestedServerNames()) {
      names.add(((SNIHostName) n).getAsciiName());
    }
    return names;
  }
}
