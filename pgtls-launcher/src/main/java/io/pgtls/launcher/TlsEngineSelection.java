package io.pgtls.launcher;

import io.pgtls.launcher.config.TlsEngineChoice;
import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.tls.TlsEngines;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Applies {@code tls_engine}: the JDK's engine, or BoringSSL (module pgtls-boringssl, bundled in
 * pgtls.jar, found by name) where its native library loads. Chosen once, at start: a reload keeps
 * the engine the process started with (restart-only, as {@code crypto_provider}).
 */
final class TlsEngineSelection {
  static final String BORINGSSL = "boringssl";

  /** BoringSSL was asked for and cannot run here; the message says why. */
  static final class UnavailableException extends Exception {
    UnavailableException(String message) {
      super(message);
    }
  }

  /** The engine chosen, and the start-up log line that says which serves and why. */
  record Outcome(TlsEngineFactory engine, String description) {}

  private TlsEngineSelection() {}

  static Outcome choose(TlsEngineChoice choice) throws UnavailableException {
    return choose(choice, TlsEngineSelection::installedBoringSsl);
  }

  /**
   * @param boringssl the BoringSSL engine, empty when this build has none
   * @throws UnavailableException only for {@link TlsEngineChoice#BORINGSSL} when it cannot run
   */
  static Outcome choose(TlsEngineChoice choice, Supplier<Optional<TlsEngineFactory>> boringssl)
      throws UnavailableException {
    TlsEngineFactory jdk = TlsEngines.jdk();
    if (choice == TlsEngineChoice.JDK) {
      return new Outcome(jdk, line(jdk, "tls_engine = \"jdk\""));
    }
    Optional<TlsEngineFactory> found = boringssl.get();
    Optional<String> why = found.isEmpty() ? Optional.of("this build of pgtls does not include it")
        : found.get().unavailability();
    if (why.isEmpty()) {
      return new Outcome(found.get(), line(found.get(), "tls_engine = \"" + choice.configName() + "\""));
    }
    if (choice == TlsEngineChoice.BORINGSSL) {
      throw new UnavailableException(why.get());
    }
    return new Outcome(jdk, line(jdk, "tls_engine = \"auto\", BoringSSL is not usable here: " + why.get()));
  }

  private static String line(TlsEngineFactory engine, String why) {
    return "TLS engine: " + engine.name() + " (" + engine.describe() + "; " + why + ")";
  }

  private static Optional<TlsEngineFactory> installedBoringSsl() {
    try {
      return Optional.of(TlsEngines.named(BORINGSSL));
    } catch (IllegalArgumentException | LinkageError e) {
      return Optional.empty();
    }
  }
}
