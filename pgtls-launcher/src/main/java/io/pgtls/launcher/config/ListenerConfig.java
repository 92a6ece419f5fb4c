package io.pgtls.launcher.config;

import io.pgtls.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code [proxy.listener]} table.
 *
 * @param clientCertificates the client-certificate policy ({@code client_cert} or {@code mtls},
 *     {@code client_ca}, {@code client_crl}, {@code allow_expired_crl}); empty when clients are not
 *     asked for certificates
 * @param certRefreshInterval how often the certificates are read again (besides SIGHUP and file changes)
 * @param allowPlaintextCancel whether a plaintext CancelRequest is accepted (psql 16 and older,
 *     pgjdbc and node-postgres send them so); off for routes whose clients all cancel inside TLS
 * @param serverNames the TLS server names this route serves on a {@code bind_address} it shares
 *     with other routes; empty makes it that listener's default route
 * @param proxyProtocol the {@code proxy_protocol} table: a PROXY protocol header is read first from
 *     the trusted load balancers; empty when clients connect directly
 * @param allowedSources {@code allowed_sources}: the client addresses (CIDRs) the route admits; empty
 *     admits every address
 */
public record ListenerConfig(
    HostPort bindAddress,
    Path serverCert,
    Path serverKey,
    Optional<ClientCertificatesConfig> clientCertificates,
    Optional<Duration> certRefreshInterval,
    Optional<Duration> startupTimeout,
    Optional<Duration> handshakeTimeout,
    boolean allowPlaintextCancel,
    boolean allowPlaintextClients,
    Optional<Integer> maxConnections,
    Optional<Duration> idleTimeout,
    List<String> tlsVersions,
    List<String> cipherSuites,
    List<String> serverNames,
    Optional<ProxyProtocolConfig> proxyProtocol,
    List<String> allowedSources) {

  /** The same listener bound to {@code address}. */
  public ListenerConfig withBindAddress(HostPort address) {
    return new ListenerConfig(address, serverCert, serverKey, clientCertificates, certRefreshInterval, startupTimeout,
        handshakeTimeout, allowPlaintextCancel, allowPlaintextClients, maxConnections, idleTimeout, tlsVersions,
        cipherSuites, serverNames, proxyProtocol, allowedSources);
  }

  /** A listener with every policy setting at its default. */
  public ListenerConfig(HostPort bindAddress, Path serverCert, Path serverKey,
      Optional<ClientCertificatesConfig> clientCertificates, Optional<Duration> certRefreshInterval,
      Optional<Duration> startupTimeout, Optional<Duration> handshakeTimeout, boolean allowPlaintextCancel) {
    this(bindAddress, serverCert, serverKey, clientCertificates, certRefreshInterval, startupTimeout, handshakeTimeout,
        allowPlaintextCancel, false, Optional.empty(), Optional.empty(), List.of(), List.of(), List.of(), Optional.empty(),
        List.of());
  }

  public ListenerConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(serverCert, "serverCert");
    Objects.requireNonNull(serverKey, "serverKey");
    Objects.requireNonNull(clientCertificates, "clientCertificates");
    Objects.requireNonNull(certRefreshInterval, "certRefreshInterval");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    serverNames = List.copyOf(serverNames);
    Objects.requireNonNull(proxyProtocol, "proxyProtocol");
    allowedSources = List.copyOf(allowedSources);
  }

  /** Whether clients are asked for certificates (required or optional). */
  public boolean mtls() {
    return clientCertificates.isPresent();
  }

  /** The CA file client certificates must chain to; empty when clients are not asked for certificates. */
  public Optional<Path> clientCa() {
    return clientCertificates.map(ClientCertificatesConfig::ca);
  }

  @Override
  public String toString() {
    return "listener{" + bindAddress + (serverNames.isEmpty() ? "" : " server_names=" + serverNames) + " cert=" + serverCert + " key=" + serverKey
        + clientCertificates.map(c -> " " + c).orElse("")
        + certRefreshInterval.map(d -> " cert_refresh_interval=" + Durations.format(d)).orElse("")
        + startupTimeout.map(d -> " startup_timeout=" + Durations.format(d)).orElse("")
        + handshakeTimeout.map(d -> " handshake_timeout=" + Durations.format(d)).orElse("")
        + (allowPlaintextCancel ? "" : " allow_plaintext_cancel=false")
        + proxyProtocol.map(p -> " " + p).orElse("")
        + (allowedSources.isEmpty() ? "" : " allowed_sources=" + allowedSources) + "}";
  }
}
