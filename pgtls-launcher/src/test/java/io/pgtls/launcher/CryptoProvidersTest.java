package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pgtls.launcher.CryptoProviders.Outcome;
import io.pgtls.launcher.CryptoProviders.UnavailableException;
import io.pgtls.launcher.config.CryptoProvider;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
