package io.pgtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtls.internal.pg.CancelKeys;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.Slots;
import io.pgtls.tls.TestMaterialFiles;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A route's client_crl files are loaded with its certificates, and their nextUpdate reported. */
class ClientRevocationListsSettingTest {
  @TempDir static Path dir;
  private static TestMaterialFiles files;

  @BeforeAll
  static void files() {
    files = TestMaterialFiles.write(dir);
  }

  private static Listener listener(ClientCertificates clientCertificates) {
    return Listener.builder("127.0.0.1:0")
        .tls(ListenerTls.pem(files.serverCertificate, files.serverKey).clientCertificates(clientCertificates))
        .route(Route.builder("main").backend("127.0.0.1:5432").backendTls(BackendTls.disabled()).build())
        .build();
  }

  private static CompiledRoute compile(Listener listener) {
    return CompiledListener.compile(listener, new Slots(10), CancelKeys.random()).routes().get(0);
  }

  @Test
  void compiledRouteReportsEachCrlFilesNextUpdateForMetrics() {
    CompiledRoute route = compile(listener(ClientCertificates.required(files.caCertificate)
        .revocationLists(files.caCrl)));

    assertThat(route.revocationListNextUpdate()).containsExactly(
        Map.entry(files.caCrl.toString(), files.caCrlNextUpdate));
  }

  @Test
  void routeWithoutCrlsReportsNone() {
    assertThat(compile(listener(ClientCertificates.required(files.caCertificate))).revocationListNextUpdate())
        .isEmpty();
  }

  @Test
  void unusableCrlFileFailsTheStartNamingTheSettingNotTheClientCa() {
    Path notACrl = files.serverCertificate;
    PgTlsException e = catchThrowableOfType(() -> PgTlsProxy.builder()
        .listener(listener(ClientCertificates.optional(files.caCertificate).revocationLists(notACrl))).build(),
        PgTlsException.class);

    assertThat(e.setting()).contains("listener.client_crl");
    assertThat(e.route()).contains("main");
    assertThat(e).hasMessageContaining("listener client_crl: cannot read certificate revocation lists from ")
        .hasMessageContaining("no CRL in the file");
  }
}
