package io.pgtls.internal.route;

import io.pgtls.tls.ClientTlsSpec;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TlsEngines;
import io.pgtls.internal.pg.StartupCodes;
import io.pgtls.internal.tls.Certificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start-up, looks at a TLS backend's certificate once (SSLRequest, handshake, close) and warns
 * when it differs from the route's own: SCRAM channel binding cannot pass such a route, and the
 * operator should learn that before users do. Runs on a worker thread, never on a loop, and never
 * delays or fails the start.
 */
public final class BackendProbe {
  private static final Logger log = LoggerFactory.getLogger(BackendProbe.class);

  private BackendProbe() {}

  public static void checkChannelBinding(String proxyName, CompiledRoute route, Executor workers) {
    // A Unix-domain socket backend never has TLS (validation refuses it): nothing to look at.
    if (!route.backendTlsEnabled() || route.backend().isUnixSocket()) {
      return;
    }
    try {
      workers.execute(() -> probe(proxyName, route));
    } catch (RejectedExecutionException e) {
      // shutting down: nothing to check
    }
  }

  private static void probe(String proxyName, CompiledRoute route) {
    String host = route.backend().host();
    int port = route.backend().port();
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, route.connectTimeout().toMillis());
    int handshakeMillis = (int) Math.min(Integer.MAX_VALUE, route.handshakeTimeout().toMillis());
    try (Socket raw = new Socket()) {
      raw.connect(new InetSocketAddress(host, port), connectMillis);
      raw.setSoTimeout(handshakeMillis);
      int answer = 'S'; // direct TLS: no SSLRequest round trip
      if (!route.backendDirectTls()) {
        raw.getOutputStream().write(StartupCodes.sslRequest());
        InputStream in = raw.getInputStream();
        answer = in.read();
      }
      if (answer != 'S') {
        log.warn("pgtls[{}] route '{}': backend {} does not accept TLS (answered {} to SSLRequest); sessions on this "
            + "route will be refused", proxyName, route.name(), route.backend(), answer < 0 ? "EOF" : "'" + (char) answer + "'");
        return;
      }
      // The look at the certificate uses the JDK's engine whatever engine serves the route: it is
      // one blocking handshake at start-up, on an SSLSocket.
      ClientTlsSpec spec = route.backendSpec();
      SSLEngine template = TlsEngines.jdk().client(spec).newEngine();
      SSLContext ctx = TlsContexts.client(spec.trust(), spec.clientIdentity());
      try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(raw, route.backendServerName(), port, false)) {
        tls.setUseClientMode(true);
        tls.setSSLParameters(template.getSSLParameters());
        tls.startHandshake();
        X509Certificate backendCert = (X509Certificate) tls.getSession().getPeerCertificates()[0];
        if (Certificates.sameEndPoint(route.listenerCertificate(), backendCert)) {
          log.info("pgtls[{}] route '{}': presents the same certificate as backend {}: SCRAM channel binding passes",
              proxyName, route.name(), route.backend());
        } else {
          route.warnOnceAboutChannelBinding();
        }
      }
    } catch (IOException | RuntimeException e) {
      log.info("pgtls[{}] route '{}': could not look at backend {}'s certificate at start-up: {}", proxyName,
          route.name(), route.backend(), e.toString());
    }
  }
}
