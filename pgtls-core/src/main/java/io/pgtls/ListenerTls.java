package io.pgtls;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The TLS a route presents to its clients: a certificate chain and key (PEM), and optionally a
 * client-certificate policy (mTLS, {@link ClientCertificates}). Immutable.
 */
public final class ListenerTls {
  static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private final Path certificateChain;
  private final Path privateKey;
  private final ClientCertificates clientCertificates;
  private final List<String> protocols;
  private final List<String> cipherSuites;

  private ListenerTls(Path certificateChain, Path privateKey, ClientCertificates clientCertificates,
      List<String> protocols, List<String> cipherSuites) {
    this.certificateChain = certificateChain;
    this.privateKey = privateKey;
    this.clientCertificates = clientCertificates;
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
   * (mTLS): {@code clientCertificates(ClientCertificates.required(clientCaPem))}.
   */
  public ListenerTls requireClientCertificates(Path clientCaPem) {
    return clientCertificates(ClientCertificates.required(clientCaPem));
  }

  /** Asks clients for certificates, as {@code policy} says; see {@link ClientCertificates}. */
  public ListenerTls clientCertificates(ClientCertificates policy) {
    Objects.requireNonNull(policy, "policy");
    return new ListenerTls(certificateChain, privateKey, policy, protocols, cipherSuites);
  }

  /** The TLS versions offered to clients; default TLSv1.3 and TLSv1.2. Nothing below 1.2. */
  public ListenerTls protocols(String... versions) {
    return new ListenerTls(certificateChain, privateKey, clientCertificates, List.of(versions), cipherSuites);
  }

  /**
   * The cipher suites offered to clients (JDK names, e.g. TLS_AES_256_GCM_SHA384). Default: every
   * TLS 1.3 suite and, for TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305 only.
   */
  public ListenerTls cipherSuites(String... suites) {
    return new ListenerTls(certificateChain, privateKey, clientCertificates, protocols, List.of(suites));
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

  /** The client-certificate policy; empty when clients are not asked for certificates. */
  public Optional<ClientCertificates> clientCertificates() {
    return Optional.ofNullable(clientCertificates);
  }

  public Optional<Path> clientCa() {
    return clientCertificates().map(ClientCertificates::ca);
  }

  /** Whether clients are asked for certificates (required or optional). */
  public boolean mtls() {
    return clientCertificates != null;
  }

  public List<String> protocols() {
    return protocols;
  }

  /**
   * Equal when certificate and key paths (as given: the files are not read, so new contents at the
   * same paths leave it equal), client-certificate policy, versions and cipher suites (both in
   * order) are.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof ListenerTls t && t.certificateChain.equals(certificateChain) && t.privateKey.equals(privateKey)
        && Objects.equals(t.clientCertificates, clientCertificates) && t.protocols.equals(protocols)
        && t.cipherSuites.equals(cipherSuites);
  }

  @Override
  public int hashCode() {
    return Objects.hash(certificateChain, privateKey, clientCertificates, protocols, cipherSuites);
  }

  @Override
  public String toString() {
    return "ListenerTls{cert=" + certificateChain + ", key=" + privateKey
        + (clientCertificates == null ? "" : ", " + clientCertificates) + ", protocols=" + protocols + (cipherSuites.isEmpty() ? "" : ", cipherSuites=" + cipherSuites) + "}";
  }
}
