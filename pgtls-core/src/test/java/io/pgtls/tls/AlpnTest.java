package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.tls.TestPki.Issued;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The listener's ALPN behaviour, for both TLS versions (the JDK negotiates ALPN differently in each). */
class AlpnTest {

  @TempDir
  static Path dir;

  private static TlsMaterial server;
  private static TrustMaterial trust;

  @BeforeAll
  static void pki() throws Exception {
    Issued ca = TestPki.ca("pgtls test CA");
    Issued leaf = TestPki.server(ca, "localhost", "localhost");
    server = TlsMaterial.load(TestPki.writeCertificates(dir.resolve("server.crt"), leaf),
        TestPki.writePkcs8Key(dir.resolve("server.key"), leaf));
    trust = TrustMaterial.load(TestPki.writeCertificates(dir.resolve("ca.crt"), ca));
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void clientOfferingPostgresqlGetsItSelected(String protocol) throws Exception {
    SSLEngine serverEngine = serverEngine(protocol);
    SSLEngine client = clientOffering(protocol, "h2", "postgresql");

    EnginePump.handshake(client, serverEngine);

    assertThat(serverEngine.getApplicationProtocol()).isEqualTo("postgresql");
    assertThat(client.getApplicationProtocol()).isEqualTo("postgresql");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void clientOfferingNoAlpnIsAcceptedLikeLibpq16AndPgjdbc(String protocol) throws Exception {
    SSLEngine serverEngine = serverEngine(protocol);
    SSLEngine client = clientOffering(protocol);

    EnginePump.handshake(client, serverEngine);

    assertThat(serverEngine.getApplicationProtocol()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void clientOfferingOnlyOtherProtocolsIsRejectedLikePostgresqlDoes(String protocol) {
    SSLEngine serverEngine = serverEngine(protocol);
    SSLEngine client = clientOffering(protocol, "h2");

    assertThatThrownBy(() -> EnginePump.handshake(client, serverEngine))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageContaining("No matching application layer protocol");
  }

  private static SSLEngine serverEngine(String protocol) {
    return TlsContexts.serverEngine(TlsContexts.server(server, null), false, List.of(protocol));
  }

  private static SSLEngine clientOffering(String protocol, String... applicationProtocols) {
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(trust, null), "localhost", 5432, true,
        List.of(protocol));
    if (applicationProtocols.length > 0) {
      SSLParameters parameters = client.getSSLParameters();
      parameters.setApplicationProtocols(applicationProtocols);
      client.setSSLParameters(parameters);
    }
    return client;
  }
}
