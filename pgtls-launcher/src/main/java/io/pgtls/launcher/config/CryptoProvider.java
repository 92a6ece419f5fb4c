package io.pgtls.launcher.config;

import java.util.Optional;

/**
 * The {@code crypto_provider} setting: which JCA provider does the TLS arithmetic (AES-GCM,
 * ECDHE, ECDSA, RSA, SHA-2) under the JDK's own TLS engine.
 */
public enum CryptoProvider {
  /** The Amazon Corretto Crypto Provider where it loads (Linux x86_64 and aarch64), else the JDK's. */
  AUTO,
  /** The Amazon Corretto Crypto Provider, or pgtls does not start. */
  ACCP,
  /** Only the JDK's own providers. */
  JDK;

  public String configName() {
    return ConfigNames.of(this);
  }

  /** Parses a configuration name (exact lower case); empty when it names no choice. */
  public static Optional<CryptoProvider> fromConfigName(String text) {
    return ConfigNames.exact(CryptoProvider.class, text);
  }
}
