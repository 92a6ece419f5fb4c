package io.pgtls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How pgtls connects to the backend PostgreSQL. Either plaintext ({@link #disabled()}), or a TLS
 * session of its own opened with an SSLRequest and fully verified by default: the chain against
 * {@code rootCa} (or the JDK's default trust store when none is given) and the host name or IP
 * address against the certificate, with SNI set to the host name. Immutable.
 */
public final class BackendTls {
  /** How much of the backend's certificate is checked. */
  public enum Verification {
    /** Chain and host name (libpq's {@code sslmode=verify-full}). The default. */
    VERIFY_FULL,
    /** Chain only (libpq's {@code sslmode=verify-ca}). */
    VERIFY_CA
  }

  private static final BackendTls DISABLED =
      new BackendTls(false, null, null, null, null, Verification.VERIFY_FULL, false);
  private static final BackendTls VERIFY_FULL =
      new BackendTls(true, null, null, null, null, Verification.VERIFY_FULL, false);

  private final boolean enabled;
  private final Path rootCa;
  private final Path clientCertificate;
  private final Path clientKey;
  private final String serverName;
  private final Verification verification;
  private final boolean direct;

  private BackendTls(boolean enabled, Path rootCa, Path clientCertificate, Path clientKey,
      String serverName, Verification verification, boolean direct) {
    this.enabled = enabled;
    this.rootCa = rootCa;
    this.clientCertificate = clientCertificate;
    this.clientKey = clientKey;
    this.serverName = serverName;
    this.verification = verification;
    this.direct = direct;
  }

  /** Plaintext to the backend: for a backend on a trusted network or without TLS. */
  public static BackendTls disabled() {
    return DISABLED;
  }

  /** TLS with verify-full against the JDK's default trust store. */
  public static BackendTls verifyFull() {
    return VERIFY_FULL;
  }

  /** TLS with verify-full against the CA certificates in {@code rootCaPem}. */
  public static BackendTls verifyFull(Path rootCaPem) {
    Objects.requireNonNull(rootCaPem, "rootCaPem");
    return VERIFY_FULL.rootCa(rootCaPem);
  }

  /** Trust the CA certificates in {@code rootCaPem} instead of the JDK's default trust store. */
  public BackendTls rootCa(Path rootCaPem) {
    return with(rootCaPem, clientCertificate, clientKey, serverName, verification, direct);
  }

  /** Presents this certificate and key to the backend (for pg_hba {@code cert} authentication). */
  public BackendTls clientCertificate(Path certificatePem, Path keyPem) {
    Objects.requireNonNull(certificatePem, "certificatePem");
    Objects.requireNonNull(keyPem, "keyPem");
    return with(rootCa, certificatePem, keyPem, serverName, verification, direct);
  }

  /**
   * The name to send as SNI and to check the certificate against, when it differs from the host in
   * the backend address (for example a backend reached by IP whose certificate names a host).
   */
  public BackendTls serverName(String name) {
    return with(rootCa, clientCertificate, clientKey, name, verification, direct);
  }

  /** Checks the chain but not the host name. */
  public BackendTls verifyCaOnly() {
    return with(rootCa, clientCertificate, clientKey, serverName, Verification.VERIFY_CA, direct);
  }

  /**
   * Opens the backend leg with PostgreSQL 17's direct TLS (ALPN "postgresql", no SSLRequest round
   * trip) instead of SSLRequest. Only for backends running PostgreSQL 17 or newer.
   */
  public BackendTls directTls() {
    return with(rootCa, clientCertificate, clientKey, serverName, verification, true);
  }

  /** A copy with the given TLS settings; every modifier goes through here, so none can skip the check. */
  private BackendTls with(Path rootCa, Path clientCertificate, Path clientKey, String serverName,
      Verification verification, boolean direct) {
    if (!enabled) {
      throw new IllegalStateException("backend TLS is disabled; start from BackendTls.verifyFull()");
    }
    return new BackendTls(true, rootCa, clientCertificate, clientKey, serverName, verification, direct);
  }

  public boolean enabled() {
    return enabled;
  }

  public Optional<Path> rootCa() {
    return Optional.ofNullable(rootCa);
  }

  public Optional<Path> clientCertificate() {
    return Optional.ofNullable(clientCertificate);
  }

  public Optional<Path> clientKey() {
    return Optional.ofNullable(clientKey);
  }

  public Optional<String> serverName() {
    return Optional.ofNullable(serverName);
  }

  public Verification verification() {
    return verification;
  }

  /** Whether the backend leg starts with a ClientHello (direct TLS) rather than an SSLRequest. */
  public boolean direct() {
    return direct;
  }

  /**
   * Equal when every setting is: enabled, root CA, client certificate and key (paths as given, files
   * not read), server name, verification and direct TLS.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof BackendTls t && t.enabled == enabled && Objects.equals(t.rootCa, rootCa)
        && Objects.equals(t.clientCertificate, clientCertificate) && Objects.equals(t.clientKey, clientKey)
        && Objects.equals(t.serverName, serverName) && t.verification == verification && t.direct == direct;
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, rootCa, clientCertificate, clientKey, serverName, verification, direct);
  }

  @Override
  public String toString() {
    if (!enabled) {
      return "BackendTls{disabled}";
    }
    return "BackendTls{" + verification + ", rootCa=" + (rootCa == null ? "jdk-default" : rootCa)
        + (clientCertificate == null ? "" : ", clientCert=" + clientCertificate)
        + (serverName == null ? "" : ", serverName=" + serverName) + (direct ? ", direct" : "") + "}";
  }
}
