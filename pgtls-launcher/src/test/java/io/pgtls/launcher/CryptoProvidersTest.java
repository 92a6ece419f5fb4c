package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgtls.launcher.CryptoProviders.Outcome;
import io.pgtls.launcher.CryptoProviders.UnavailableException;
import io.pgtls.launcher.config.CryptoProvider;
import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TlsMaterial;
import io.pgtls.tls.TrustMaterial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CryptoProvidersTest {
  private static final CryptoProviders.NativeSource MISSING = () -> {
    throw new UnavailableException("its native library did not load: no libamazonCorrettoCryptoProvider", null);
  };

  /** The launcher's jar carries the provider only when built on Linux x86_64 or aarch64. */
  static boolean nativeProviderInThisBuild() {
    try {
      Class.forName(CryptoProviders.ACCP_CLASS);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @AfterEach
  void backToTheJdksProviders() {
    Security.removeProvider(CryptoProviders.ACCP_NAME);
  }

  @Test
  void autoPutsTheNativeProviderInFrontOfTheJdksForTheTlsAlgorithms() throws Exception {
    assumeTrue(nativeProviderInThisBuild(), "this build of the launcher has no native provider (not Linux x86_64/aarch64)");

    Outcome outcome = CryptoProviders.apply(CryptoProvider.AUTO);

    assertThat(outcome.nativeCrypto()).isTrue();
    assertThat(outcome.description()).startsWith("crypto: Amazon Corretto Crypto Provider 2.");
    // What the JDK's TLS engine asks for, by name, without naming a provider.
    assertThat(Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName()).isEqualTo(CryptoProviders.ACCP_NAME);
    assertThat(KeyAgreement.getInstance("ECDH").getProvider().getName()).isEqualTo(CryptoProviders.ACCP_NAME);
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    assertThat(ec.getProvider().getName()).isEqualTo(CryptoProviders.ACCP_NAME);
  }

  /**
   * The core skips zeroing a TLS leg's outgoing buffer on drain because the JDK's wrap leaves only
   * ciphertext there (core's TlsSessionTest pins that on the JDK's providers). The launcher swaps in
   * another AES-GCM under the same wrap; the promise must hold for it too.
   */
  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void wrapUnderTheNativeProviderStillLeavesOnlyCiphertextInTheOutgoingBuffer(String protocol, @TempDir Path dir)
      throws Exception {
    assumeTrue(nativeProviderInThisBuild(), "this build of the launcher has no native provider (not Linux x86_64/aarch64)");
    CryptoProviders.apply(CryptoProvider.ACCP);
    TestPki pki = TestPki.create(dir);
    IssuedCertificate server = pki.server("pgtls", "localhost");
    SSLContext serverContext = TlsContexts.server(TlsMaterial.load(server.certificateFile(), server.privateKeyFile()), null);
    SSLContext clientContext = TlsContexts.client(TrustMaterial.load(pki.caCertificateFile()), null);
    SSLEngine serverEngine = serverContext.createSSLEngine();
    serverEngine.setUseClientMode(false);
    SSLEngine clientEngine = clientContext.createSSLEngine("localhost", 5432);
    clientEngine.setUseClientMode(true);
    clientEngine.setEnabledProtocols(new String[] {protocol});
    handshake(clientEngine, serverEngine);
    assertThat(clientEngine.getSession().getCipherSuite()).contains("_GCM_");

    byte[] secret = "select 'a password nobody may see' as secret".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer out = ByteBuffer.allocate(17 * 1024);
    clientEngine.wrap(ByteBuffer.wrap(secret), out);

    assertThat(out.position()).isGreaterThan(secret.length);
    assertThat(new String(out.array(), StandardCharsets.ISO_8859_1))
        .as("plaintext in the wrapped buffer").doesNotContain(new String(secret, StandardCharsets.ISO_8859_1));
  }

  /** Pumps a handshake between two engines through in-memory buffers. */
  private static void handshake(SSLEngine client, SSLEngine server) throws Exception {
    ByteBuffer toServer = ByteBuffer.allocate(64 * 1024);
    ByteBuffer toClient = ByteBuffer.allocate(64 * 1024);
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < 200 && (busy(client) || busy(server)); i++) {
      step(client, toClient, toServer);
      step(server, toServer, toClient);
    }
    assertThat(busy(client) || busy(server)).as("handshake finished").isFalse();
  }

  private static boolean busy(SSLEngine engine) {
    HandshakeStatus status = engine.getHandshakeStatus();
    return status != HandshakeStatus.NOT_HANDSHAKING && status != HandshakeStatus.FINISHED;
  }

  private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws Exception {
    switch (engine.getHandshakeStatus()) {
      case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
      case NEED_UNWRAP -> {
        in.flip();
        engine.unwrap(in, ByteBuffer.allocate(64 * 1024));
        in.compact();
      }
      case NEED_TASK -> {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
          task.run();
        }
      }
      default -> { }
    }
  }

  @Test
  void applyingTwiceInstallsTheProviderOnce() throws Exception {
    assumeTrue(nativeProviderInThisBuild(), "this build of the launcher has no native provider (not Linux x86_64/aarch64)");

    CryptoProviders.apply(CryptoProvider.ACCP);
    int providers = Security.getProviders().length;
    CryptoProviders.apply(CryptoProvider.AUTO);

    assertThat(Security.getProviders()).hasSize(providers);
    assertThat(Security.getProviders()[0].getName()).isEqualTo(CryptoProviders.ACCP_NAME);
  }

  @Test
  void aNativeProviderAlreadyInstalledBehindTheJdksIsMovedToTheFront() throws Exception {
    assumeTrue(nativeProviderInThisBuild(), "this build of the launcher has no native provider (not Linux x86_64/aarch64)");
    Provider accp = (Provider) Class.forName(CryptoProviders.ACCP_CLASS).getField("INSTANCE").get(null);
    Security.addProvider(accp); // last, as a java.security entry appended at the end would put it
    assertThat(Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName()).isNotEqualTo(CryptoProviders.ACCP_NAME);

    Outcome outcome = CryptoProviders.apply(CryptoProvider.AUTO);

    assertThat(outcome.nativeCrypto()).isTrue();
    assertThat(Security.getProviders()[0].getName()).isEqualTo(CryptoProviders.ACCP_NAME);
    assertThat(Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName()).isEqualTo(CryptoProviders.ACCP_NAME);
    assertThat(Security.getProviders()).filteredOn(p -> p.getName().equals(CryptoProviders.ACCP_NAME)).hasSize(1);
  }

  @Test
  void jdkTakesOutANativeProviderAnEarlierSettingInstalled() throws Exception {
    CryptoProviders.apply(CryptoProvider.AUTO);

    Outcome outcome = CryptoProviders.apply(CryptoProvider.JDK);

    assertThat(outcome.nativeCrypto()).isFalse();
    assertThat(outcome.description()).isEqualTo("crypto: the JDK's providers (crypto_provider = \"jdk\")");
    assertThat(Security.getProvider(CryptoProviders.ACCP_NAME)).isNull();
    assertThat(Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName()).isEqualTo("SunJCE");
  }

  @Test
  void autoFallsBackToTheJdkAndSaysWhyWhenTheNativeLibraryCannotLoad() throws Exception {
    Outcome outcome = CryptoProviders.apply(CryptoProvider.AUTO, MISSING);

    assertThat(outcome.nativeCrypto()).isFalse();
    assertThat(outcome.description()).isEqualTo("crypto: the JDK's providers (the Amazon Corretto Crypto Provider is not"
        + " usable here: its native library did not load: no libamazonCorrettoCryptoProvider)");
    assertThat(Security.getProvider(CryptoProviders.ACCP_NAME)).isNull();
  }

  @Test
  void accpRefusesRatherThanQuietlyRunningOnTheJdksProviders() {
    assertThatThrownBy(() -> CryptoProviders.apply(CryptoProvider.ACCP, MISSING))
        .isInstanceOf(UnavailableException.class)
        .hasMessage("its native library did not load: no libamazonCorrettoCryptoProvider");
    assertThat(Security.getProvider(CryptoProviders.ACCP_NAME)).isNull();
  }
}
