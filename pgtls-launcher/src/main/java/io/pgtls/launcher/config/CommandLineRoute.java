package io.pgtls.launcher.config;

import io.pgtls.BackendTls.Verification;
import io.pgtls.HostPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A one-route configuration given entirely on the command line ({@code --listen}, {@code --backend},
 * {@code --cert}, {@code --key}, {@code --backend-ca} or {@code --backend-plaintext}), so that the
 * simplest proxy needs no file. The route is named {@code proxy-1}, like the first route of a file;
 * every other setting takes its default.
 */
public record CommandLineRoute(HostPort listen, HostPort backend, Path cert, Path key, BackendLeg backendLeg,
    Optional<Path> backendCa) {

  /** How the backend leg is protected. */
  public enum BackendLeg {
    /** SSLRequest and TLS, verify-full against {@code --backend-ca} or the Java runtime's trust store. */
    TLS,
    /** {@code --backend-plaintext}: plain TCP to the backend. */
    PLAINTEXT
  }

  public CommandLineRoute {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(backendLeg, "backendLeg");
    Objects.requireNonNull(backendCa, "backendCa");
    if (backendLeg == BackendLeg.PLAINTEXT && backendCa.isPresent()) {
      throw new IllegalArgumentException("a plaintext backend leg has no CA");
    }
  }

  /** The whole configuration: this route, every process-wide setting at its default. */
  public PgTlsConfig toConfig() {
    ListenerConfig listener = new ListenerConfig(listen, cert.toAbsolutePath(), key.toAbsolutePath(), Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), true);
    Optional<BackendTlsConfig> tls = backendLeg == BackendLeg.PLAINTEXT
        ? Optional.empty()
        : Optional.of(new BackendTlsConfig(backendCa.map(Path::toAbsolutePath), Optional.empty(), Optional.empty(),
            Verification.VERIFY_FULL, false));
    BackendConfig backendConfig = new BackendConfig(backend, tls, Optional.empty());
    return new PgTlsConfig(LogLevel.INFO, List.of(new RouteConfig(RouteReader.defaultName(1), listener, backendConfig)));
  }
}
