package io.pgtls.launcher.config;

import io.pgtls.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code [proxy.listener]} table. mTLS is on exactly when {@link #clientCa()} is present: the
 * loader rejects {@code mtls = true} without a CA and a CA with {@code mtls = false}.
 *
 * @param certRefreshInterval how often the certificates are read again (besides SIGHUP and file changes)
 * @param allowPlaintextCancel whether a plaintext CancelRequest is accepted (psql 16 and older,
 *     pgjdbc and node-postgres send them so); off for routes whose clients all cancel inside TLS
 * @param serverNames the TLS server names this route serves on a {@code bind_address} it shares
 *     with other routes; empty makes it that listener's default route
 */
public record ListenerConfig(
    HostPort bindAddress,
    Path serverCert,
    Path serverKey,
    Optional<Path> clientCa,
    Optional<Duration> certRefreshInterval,
    Optional<Duration> startupTimeout,
    Optional<Duration> handshakeTimeout,
    boolean allowPlaintextCancel,
    boolean allowPlaintextClients,
    Optional<Integer> maxConnections,
    Optional<Duration> idleTimeout,
    List<String> tlsVersions,
    List<String> cipherSuites,
    List<String> serverNames) {

  /** A listener with every policy setting at its default. */
  public ListenerConfig(HostPort bindAddress, Path serverCert, Path serverKey, Optional<Path> clientCa,
      Optional<Duration> certRefreshInterval, Optional<Duration> startupTimeout, Optional<Duration> handshakeTimeout,
      boolean allowPlaintextCancel) {
    this(bindAddress, serverCert, serverKey, clientCa, certRefreshInterval, startupTimeout, handshakeTimeout,
        allowPlaintextCancel, false, Optional.empty(), Optional.empty(), List.of(), List.of(), List.of());
  }

  public ListenerConfig {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(serverCert, "serverCert");
    Objects.requireNonNull(serverKey, "serverKey");
    Objects.requireNonNull(clientCa, "clientCa");
    Objects.requireNonNull(certRefreshInterval, "certRefreshInterval");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    serverNames = List.copyOf(serverNames);
  }

  public boolean mtls() {
    return clientCa.isPresent();
  }

  @Override
  public String toString() {
    return "listener{" + bindAddress + (serverNames.isEmpty() ? "" : " server_names=" + serverNames) + " cert=" + serverCert + " key=" + serverKey
        + clientCa.map(ca -> " mtls client_ca=" + ca).orElse("")
        + certRefreshInterval.map(d -> " cert_refresh_interval=" + Durations.format(d)).orElse("")
        + startupTimeout.map(d -> " startup_timeout=" + Durations.format(d)).orElse("")
        + handshakeTimeout.map(d -> " handshake_timeout=" + Durations.format(d)).orElse("")
        + (allowPlaintextCancel ? "" : " allow_plaintext_cancel=false") + "}";
  }
}
