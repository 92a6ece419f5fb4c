package io.pgtls.tls;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How pgtls connects to one backend over TLS, for a {@link TlsEngineFactory} to build client
 * engines from.
 *
 * @param trust the CAs the backend's certificate must chain to
 * @param clientIdentity presented when the backend asks for a client certificate; null for none
 * @param serverName host name or IP literal (IPv6 with or without brackets): checked against the
 *     certificate with {@code verifyHostName}, and sent as SNI unless it is an IP literal
 * @param port the backend's port (a session cache key for engines that have one)
 * @param verifyHostName check the certificate's subjectAltName against {@code serverName} ("HTTPS"
 *     endpoint identification, libpq's verify-full); without it the chain is still verified
 * @param protocols TLS versions to enable; empty means TLSv1.3 and TLSv1.2
 * @param applicationProtocols ALPN protocols to offer; empty offers none
 */
public record ClientTlsSpec(TrustMaterial trust, TlsMaterial clientIdentity, String serverName, int port,
    boolean verifyHostName, List<String> protocols, List<String> applicationProtocols) {

  public ClientTlsSpec {
    Objects.requireNonNull(trust, "trust");
    Objects.requireNonNull(serverName, "serverName");
    protocols = List.copyOf(protocols);
    applicationProtocols = List.copyOf(applicationProtocols);
  }

  /** The TLS versions to enable, validated. */
  public String[] enabledProtocols() {
    return TlsProtocols.resolve(protocols);
  }

  /** {@code serverName} as engines take it: an IPv6 literal without brackets, lower case. */
  public String peerHost() {
    return HostNames.normalize(serverName);
  }

  /**
   * The SNI to send: every host name, dotless ones too ("localhost", "postgres"); none for an IP
   * literal (RFC 6066).
   */
  public Optional<SNIHostName> serverNameIndication() {
    return HostNames.sniFor(peerHost());
  }

  /** What judges the backend's chain, one per call: see {@link TlsContexts#backendTrust}. */
  public X509ExtendedTrustManager serverTrust() {
    return TlsContexts.backendTrust(trust);
  }

  /** A key manager factory presenting {@code clientIdentity}, initialised; empty without one. */
  public Optional<KeyManagerFactory> identityKeyManagerFactory() {
    return clientIdentity == null ? Optional.empty() : Optional.of(IdentityKeyManagers.factory(clientIdentity));
  }

  @Override
  public String toString() {
    return "ClientTlsSpec{" + serverName + ":" + port + (verifyHostName ? " verify-full" : " verify-ca") + " trust="
        + trust + (clientIdentity == null ? "" : " client=" + clientIdentity) + " alpn=" + applicationProtocols + "}";
  }
}
