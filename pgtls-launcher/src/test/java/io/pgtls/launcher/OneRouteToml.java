package io.pgtls.launcher;

/**
 * The configuration the operations tests start pgtls with, in-process and as a real process: an
 * admin endpoint and one route ("main"), each on an ephemeral port, a TLS listener with the given
 * certificate directory's pair, and a plaintext backend.
 */
final class OneRouteToml {
  private OneRouteToml() {}

  static String of(String drainTimeout, CertificateDir certs, int backendPort) {
    return """
        drain_timeout = "%s"
        [admin]
        bind_address = "127.0.0.1:0"
        [[proxy]]
          name = "main"
          [proxy.listener]
          bind_address = "127.0.0.1:0"
          server_cert = "%s"
          server_key = "%s"
          [proxy.backend]
          address = "127.0.0.1:%d"
          tls_enabled = false
        """.formatted(drainTimeout, certs.cert, certs.key, backendPort);
  }
}
