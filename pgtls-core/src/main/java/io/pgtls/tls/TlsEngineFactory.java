package io.pgtls.tls;

import java.util.Optional;

/**
 * Where pgtls gets its {@link javax.net.ssl.SSLEngine}s: a TLS implementation, such as the JDK's
 * ({@link TlsEngines#jdk()}, the default) or BoringSSL (module {@code pgtls-boringssl}). From a
 * route's material it builds one {@link TlsEngineMaker} for the listener side and one for the
 * backend side; each connection takes its engine from them and gives it back when it ends.
 *
 * <p>An implementation is found by {@link #name()} through {@link java.util.ServiceLoader} (see
 * {@link TlsEngines#named(String)}), so it needs a public no-argument constructor and an entry in
 * {@code META-INF/services/io.pgtls.tls.TlsEngineFactory}.
 *
 * <p>What pgtls needs of every engine, whichever it is: the engine's wrap/unwrap behave as
 * {@code SSLEngine} documents, except for the differences {@code TlsSession} evens out (a null
 * application protocol for none, a duplex close_notify, a NEED_UNWRAP that needs an unwrap of
 * nothing to move on); ALPN refusals are pgtls's own (it reads the ClientHello first).
 */
public interface TlsEngineFactory {

  /** The name a configuration chooses it by ({@code tls_engine}): "jdk", "boringssl". */
  String name();

  /** One phrase for the start-up log: the library and its version. */
  String describe();

  /** Why it cannot make engines in this JVM (its native library did not load); empty when it can. */
  default Optional<String> unavailability() {
    return Optional.empty();
  }

  /**
   * The maker of server-mode engines for a listener presenting {@code spec}.
   *
   * @throws IllegalArgumentException when the material or a setting is refused
   */
  TlsEngineMaker server(ServerTlsSpec spec);

  /**
   * The maker of client-mode engines toward one backend, as {@code spec} describes.
   *
   * @throws IllegalArgumentException when the material or a setting is refused
   */
  TlsEngineMaker client(ClientTlsSpec spec);
}
