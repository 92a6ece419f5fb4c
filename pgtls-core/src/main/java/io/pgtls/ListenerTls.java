package io.pgtls;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS a route presents to its clients: a certificate chain and key (PEM), and optionally a CA
 * whose client certificates are required (mTLS). Immutable.
 */
public final class ListenerTls {
  static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private final Path certificateChain;
  private final Path privateKey;
  private final Path clientCa;
  private final List<String> protocols;
  private final List<String> cipherSuites;

  private ListenerTls(Path certificateChain, Path privateKey, Path clientCa, List<String> protocols,
      List<String> cipherSuites) {
    this.certificateChain = certificateChain;
    this.privateKey = privateKey;
    this.clientCa = clientCa;
    this.protocols = protocols;
    this.cipherSuites = cipherSuites;
  }

  /** A listener serving the PEM certificate chain (leaf first) and its PEM private key. */
  public static ListenerTls pem(Path certificateChain, Path privateKey) {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    return new ListenerTls(certificateChain, privateKey, null, DEFAULT_PROTOCOLS, List.of());
  }

  /**
   * Requires every client to present a certificate that chains to a CA in {@code clientCaPem}
   * (mTLS). A client without one is refused during the TLS handshake.
   */
  public ListenerTls requireClientCertificates(Path clientCaPem) {
    Objects.requireNonNull(clientCaPem, "clientCaPem");
    return new ListenerTls(certificateChain, privateKey, clientCaPem, protocols, cipherSuites);
  }

  /** The TLS versions offered to clients; default TLSv1.3 and TLSv1.2. Nothing below 1.2. */
  public ListenerTls protocols(String... versions) {
    return new ListenerTls(certificateChain, privateKey, clientCa, List.of(versions), cipherSuites);
  }

  /**
   * The cipher suites offered to clients (JDK names, e.g. TLS_AES_256_GCM_SHA384). Default: every
   * TLS 1.3 suite and, for TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305 only.
   */
  public ListenerTls cipherSuites(String... suites) {
    return new ListenerTls(certificateChain, privateKey, clientCa, protocols, List.of(suites));
  }

  /** The configured cipher suites; empty means the strong default set. */
  public List<String> cipherSuites() {
    return cipherSuites;
  }

  public Path certificateChain() {
    return certificateChain;
  }

  public Path privateKey() {
    return privateKey;
  }

  public Optional<Path> clientCa() {
    return Optional.ofNullable(clientCa);
  }

  public boolean mtls() {
    return clientCa != null;
  }

  public List<String> protocols() {
    return protocols;
  }

  @Override
  public String toString() {
    return "ListenerTls{cert=" + certificateChain + ", key=" + privateKey
        + (clientCa == null ? "" : ", mtls clientCa=" + clientCa) + ", protocols=" + protocols + (cipherSuites.isEmpty() ? "" : ", cipherSuites=" + cipherSuites) + "}";
  }
}
