package io.pgtls.launcher;

import io.pgtls.launcher.config.CryptoProvider;
import java.lang.reflect.InvocationTargetException;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies {@code crypto_provider}: puts the Amazon Corretto Crypto Provider (ACCP, AWS-LC's native
 * AES-GCM, ECDHE, ECDSA, RSA and SHA-2) in front of the JDK's providers, or takes it out. The JDK's
 * own TLS engine still runs the protocol; JCA providers are process-wide, so this is the launcher's
 * business, never the core's (an embedding application owns its JVM's providers).
 *
 * <p>ACCP is referenced by name: the launcher's jar carries it only when built on a platform it
 * has a native build for (Linux x86_64 and aarch64), and its classes are useless without it.
 */
final class CryptoProviders {
  static final String ACCP_CLASS = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";
  static final String ACCP_NAME = "AmazonCorrettoCryptoProvider";

  /** Loads the native provider, healthy and usable, or says why it cannot. */
  interface NativeSource {
    Provider load() throws UnavailableException;
  }

  /** The native provider cannot be used here; the message says why. */
  static final class UnavailableException extends Exception {
    UnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What applying the setting did; {@link #description} is the startup log line. */
  record Outcome(boolean nativeCrypto, String description) {}

  private CryptoProviders() {}

  static Outcome apply(CryptoProvider choice) throws UnavailableException {
    return apply(choice, CryptoProviders::loadAccp);
  }

  /**
   * @throws UnavailableException only for {@link CryptoProvider#ACCP} when it cannot be used
   */
  static Outcome apply(CryptoProvider choice, NativeSource source) throws UnavailableException {
    if (choice == CryptoProvider.JDK) {
      Security.removeProvider(ACCP_NAME);
      return new Outcome(false, "crypto: the JDK's providers (crypto_provider = \"jdk\")");
    }
    Provider provider;
    try {
      provider = source.load();
    } catch (UnavailableException e) {
      if (choice == CryptoProvider.ACCP) {
        throw e;
      }
      Security.removeProvider(ACCP_NAME);
      return new Outcome(false, "crypto: the JDK's providers (the Amazon Corretto Crypto Provider is not usable here: "
          + e.getMessage() + ")");
    }
    putFirst(provider);
    return new Outcome(true, "crypto: " + describe(provider)
        + " does AES-GCM, ECDHE, ECDSA, RSA and SHA-2 under the JDK's TLS engine");
  }

  /**
   * Makes {@code provider} the first one asked. JDK quirk: {@link Security#insertProviderAt} does
   * nothing for a provider already installed, wherever it sits, so one that an application or a
   * {@code java.security} file put behind the JDK's own would stay there (and the JDK's AES-GCM
   * would go on serving the TLS engine): take it out first.
   */
  private static void putFirst(Provider provider) {
    Provider[] installed = Security.getProviders();
    if (installed.length > 0 && installed[0].getName().equals(provider.getName())) {
      return;
    }
    Security.removeProvider(provider.getName());
    Security.insertProviderAt(provider, 1);
  }

  private static Provider loadAccp() throws UnavailableException {
    Class<?> type;
    try {
      type = Class.forName(ACCP_CLASS);
    } catch (ClassNotFoundException e) {
      throw new UnavailableException("this build of pgtls does not include it (it has native builds for Linux"
          + " x86_64 and aarch64 only)", e);
    }
    Provider provider;
    try {
      provider = (Provider) type.getField("INSTANCE").get(null);
      Object loadingError = type.getMethod("getLoadingError").invoke(provider);
      if (loadingError instanceof Throwable error) {
        throw new UnavailableException("its native library did not load: " + error, error);
      }
      // Runs its self-tests; throws when a native algorithm gives a wrong answer.
      type.getMethod("assertHealthy").invoke(provider);
    } catch (InvocationTargetException e) {
      throw new UnavailableException("it failed its self-tests: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new UnavailableException("it cannot be loaded: " + e, e);
    }
    probe(provider);
    return provider;
  }

  /**
   * One AES-GCM seal through the provider, as the TLS engine will do it. JDK quirk: a JDK that
   * authenticates JCE providers (Oracle's builds) refuses a provider whose jar signature is gone,
   * and the launcher's shaded jar drops every signature; that shows here, not mid-handshake.
   */
  private static void probe(Provider provider) throws UnavailableException {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[16], "AES"), new GCMParameterSpec(128, new byte[12]));
      byte[] sealed = cipher.doFinal(new byte[16]);
      if (sealed.length != 32 || Arrays.equals(Arrays.copyOf(sealed, 16), new byte[16])) {
        throw new UnavailableException("its AES-GCM gave a wrong result", null);
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new UnavailableException("this Java runtime refuses its AES-GCM: " + e, e);
    }
  }

  private static String describe(Provider provider) {
    String name = "Amazon Corretto Crypto Provider";
    try {
      Class<?> type = provider.getClass();
      return name + " " + type.getMethod("getVersionStr").invoke(provider)
          + " (" + type.getMethod("getAwsLcVersionStr").invoke(provider) + ")";
    } catch (ReflectiveOperationException | RuntimeException e) {
      return name + " " + provider.getVersionStr();
    }
  }
}
