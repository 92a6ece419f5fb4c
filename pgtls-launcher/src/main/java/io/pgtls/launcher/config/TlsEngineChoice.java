package io.pgtls.launcher.config;

import java.util.Optional;

/** The {@code tls_engine} setting: which TLS implementation runs the protocol on both legs of every route. */
public enum TlsEngineChoice {
  /** BoringSSL where its native library loads here, else the JDK's. */
  AUTO,
  /** The JDK's own TLS engine (SunJSSE). */
  JDK,
  /** BoringSSL (netty-tcnative), or pgtls does not start. */
  BORINGSSL;

  public String configName() {
    return ConfigNames.of(this);
  }

  /** Parses a configuration name (exact lower case); empty when it names no choice. */
  public static Optional<TlsEngineChoice> fromConfigName(String text) {
    return ConfigNames.exact(TlsEngineChoice.class, text);
  }
}
