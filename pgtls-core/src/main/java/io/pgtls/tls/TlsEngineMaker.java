package io.pgtls.tls;

import javax.net.ssl.SSLEngine;

/**
 * Makes the engines of one side of one route from the material it was built with. A reload builds
 * a new maker and {@link #retire()}s the old one; engines already made keep working until they are
 * {@link #release(SSLEngine) released}.
 */
public interface TlsEngineMaker {

  /** A fresh engine, its mode, versions, cipher suites, ALPN and SNI set. */
  SSLEngine newEngine();

  /**
   * A fresh server-mode engine for a client whose ClientHello offers TLS 1.3 or not (pgtls reads
   * the ClientHello before it makes the engine). The JDK's maker needs it to stop session tickets
   * safely ({@link TlsContexts#serverWithoutResumption}); others ignore it.
   */
  default SSLEngine newEngine(boolean clientOffersTls13) {
    return newEngine();
  }

  /**
   * Frees what {@code engine} holds outside the Java heap. Called once per engine, when its
   * connection ends, whatever state the handshake reached; the engine is not used afterwards.
   */
  void release(SSLEngine engine);

  /**
   * No new engines will be asked for. What the maker holds for all its engines (a native context)
   * is freed once the last engine it made has been released.
   */
  void retire();
}
