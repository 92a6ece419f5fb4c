package io.pgtls.tls;

import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What a listener presents and asks of its clients, for a {@link TlsEngineFactory} to build server
 * engines from. Every engine announces ALPN {@value TlsContexts#ALPN_POSTGRESQL}.
 *
 * @param identity the certificate chain and key presented
 * @param clientCa the CAs client certificates must chain to; null: every client certificate is refused
 * @param revocation CRLs a client certificate must also pass; null for none (needs {@code clientCa})
 * @param askForClientCertificate send a CertificateRequest ("want": a client that sends none still
 *     completes the handshake; one that sends a certificate failing {@link #clientTrust()} fails it)
 * @param protocols TLS versions to enable; empty means TLSv1.3 and TLSv1.2
 * @param cipherSuites the cipher suites to enable, by their JDK names; empty means pgtls's strong
 *     default ({@link TlsContexts#strongCipherSuites})
 */
public record ServerTlsSpec(TlsMaterial identity, TrustMaterial clientCa, RevocationLists revocation,
    boolean askForClientCertificate, List<String> protocols, List<String> cipherSuites) {

  public ServerTlsSpec {
    Objects.requireNonNull(identity, "identity");
    protocols = List.copyOf(protocols);
    cipherSuites = List.copyOf(cipherSuites);
  }

  /** The TLS versions to enable, validated. */
  public String[] enabledProtocols() {
    return TlsProtocols.resolve(protocols);
  }

  /**
   * Whether a handshake can be TLS 1.3: the version is enabled, and so is a TLS 1.3 suite (or the
   * default suites are, which include them all).
   */
  public boolean allowsTls13() {
    return List.of(enabledProtocols()).contains("TLSv1.3")
        && (cipherSuites.isEmpty() || cipherSuites.stream().anyMatch(TlsContexts::isTls13Suite));
  }

  /** What judges a client certificate: {@code clientCa} and {@code revocation}, as the JDK's engine uses them. */
  public X509ExtendedTrustManager clientTrust() {
    return TlsContexts.clientTrust(clientCa, revocation);
  }

  /** A key manager factory presenting {@code identity}, initialised. */
  public KeyManagerFactory identityKeyManagerFactory() {
    return IdentityKeyManagers.factory(identity);
  }

  @Override
  public String toString() {
    return "ServerTlsSpec{" + identity + (clientCa == null ? "" : " client_ca=" + clientCa)
        + (revocation == null ? "" : " crl") + (askForClientCertificate ? " want-cert" : "") + " " + protocols + "}";
  }
}
