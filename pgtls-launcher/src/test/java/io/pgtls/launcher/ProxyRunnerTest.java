package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.launcher.config.ConfigLoader;
import io.pgtls.launcher.config.PgTlsConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the running proxy watches: every file a certificate reload reads again. */
class ProxyRunnerTest {
  private static final Path DIR = Path.of("/etc/pgtls");

  @Test
  void watchedFilesIncludeTheRevocationListsAndTheIdentityMapSoAChangeIsReadWithoutARestart() throws Exception {
    PgTlsConfig config = ConfigLoader.parse("""
        [[proxy]]
          [proxy.listener]
          bind_address = "127.0.0.1:6432"
          server_cert = "proxy.pem"
          server_key = "proxy.key"
          client_cert = "required"
          client_ca = "client-ca.pem"
          client_crl = ["root.crl", "issuing.crl"]
          [proxy.backend]
          address = "db:5432"
          root_ca = "db-ca.pem"
          [proxy.identity]
          map = "certs"
          map_file = "pg_ident.conf"
        """, "pgtls.toml", DIR);

    assertThat(ProxyRunner.certificateFiles(config)).containsExactly(DIR.resolve("proxy.pem"), DIR.resolve("proxy.key"),
        DIR.resolve("client-ca.pem"), DIR.resolve("root.crl"), DIR.resolve("issuing.crl"), DIR.resolve("pg_ident.conf"),
        DIR.resolve("db-ca.pem"));
  }
}
