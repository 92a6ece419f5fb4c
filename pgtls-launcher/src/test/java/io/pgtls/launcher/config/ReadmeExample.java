package io.pgtls.launcher.config;

/** The configuration example of the original project's README, exactly as written there. */
public final class ReadmeExample {
  public static final String TEXT = """
      log_level = "info"
      [[proxy]]
        [proxy.listener]
        bind_address = "0.0.0.0:6432"
        server_cert = "/etc/pgtls/certs/proxy-server.pem"
        server_key = "/etc/pgtls/certs/proxy-server.key"
        mtls = true
        client_ca = "/etc/pgtls/certs/client-ca.pem"
        [proxy.backend]
        address = "db.example.com:5432"
        tls_enabled = true
        root_ca = "/etc/pgtls/certs/backend-ca.pem"
      [[proxy]]
        [proxy.listener]
        bind_address = "127.0.0.1:6433"
        server_cert = "/etc/pgtls/certs/internal-proxy.pem"
        server_key = "/etc/pgtls/certs/internal-proxy.key"
        [proxy.backend]
        address = "10.0.1.50:5432"
        tls_enabled = false
      """;

  private ReadmeExample() {}
}
