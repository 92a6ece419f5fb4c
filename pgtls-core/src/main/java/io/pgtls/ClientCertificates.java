package io.pgtls;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A route's client-certificate policy: which CA client certificates must chain to, whether a
 * certificate is required or optional, and the certificate revocation lists checked on every
 * client handshake. Immutable.
 *
 * <p>Either way a client certificate is <em>asked for</em> in the TLS handshake, and one that does
 * not verify (another CA, expired, revoked) fails the handshake with a TLS alert. A client that
 * sends none completes the handshake: on a {@link Mode#REQUIRED} route it then gets PostgreSQL's
 * FATAL 28000 {@code connection requires a valid client certificate} after its StartupMessage, as
 * from PostgreSQL's own {@code clientcert=verify-full}; on an {@link Mode#OPTIONAL} route it goes on
 * (to password authentication at the backend, say).
 */
public final class ClientCertificates {
  /** Whether a client without a certificate may go on past its StartupMessage. */
  public enum Mode {
    OPTIONAL,
    REQUIRED
  }

  private final Mode mode;
  private final Path ca;
  private final List<Path> revocationLists;
  private final boolean allowExpiredRevocationLists;

  private ClientCertificates(Mode mode, Path ca, List<Path> revocationLists, boolean allowExpiredRevocationLists) {
    this.mode = mode;
    this.ca = ca;
    this.revocationLists = revocationLists;
    this.allowExpiredRevocationLists = allowExpiredRevocationLists;
  }

  /** Every session needs a certificate chaining to a CA in {@code caPem}. */
  public static ClientCertificates required(Path caPem) {
    return new ClientCertificates(Mode.REQUIRED, Objects.requireNonNull(caPem, "caPem"), List.of(), false);
  }

  /** A certificate chaining to a CA in {@code caPem} is checked when sent; clients without one go on. */
  public static ClientCertificates optional(Path caPem) {
    return new ClientCertificates(Mode.OPTIONAL, Objects.requireNonNull(caPem, "caPem"), List.of(), false);
  }

  /**
   * Certificate revocation lists (PEM or DER, each file one or more CRLs), read with the
   * certificates and read again on every certificate reload. With any, every certificate of a
   * client's chain but the CA's own must be covered by a current CRL of its issuer, as PostgreSQL
   * checks with {@code ssl_crl_file}: a revoked certificate, or one whose issuer has no CRL here,
   * fails the handshake.
   */
  public ClientCertificates revocationLists(Path... crlFiles) {
    return revocationLists(List.of(crlFiles));
  }

  /** See {@link #revocationLists(Path...)}. */
  public ClientCertificates revocationLists(List<Path> crlFiles) {
    return new ClientCertificates(mode, ca, List.copyOf(crlFiles), allowExpiredRevocationLists);
  }

  /**
   * Accept a CRL whose nextUpdate has passed (with a warning, at most once a minute per CRL, when
   * it decides a handshake). By default an expired CRL fails closed: every certificate of its
   * issuer is refused until it is renewed.
   */
  public ClientCertificates allowExpiredRevocationLists(boolean allow) {
    return new ClientCertificates(mode, ca, revocationLists, allow);
  }

  public Mode mode() {
    return mode;
  }

  /** The PEM file of CA certificates client certificates must chain to. */
  public Path ca() {
    return ca;
  }

  public List<Path> revocationLists() {
    return revocationLists;
  }

  public boolean allowExpiredRevocationLists() {
    return allowExpiredRevocationLists;
  }

  /** Equal when mode, CA, revocation lists (in order) and the expired-list rule are; paths as given, files unread. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClientCertificates c && c.mode == mode && c.ca.equals(ca)
        && c.revocationLists.equals(revocationLists) && c.allowExpiredRevocationLists == allowExpiredRevocationLists;
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, ca, revocationLists, allowExpiredRevocationLists);
  }

  @Override
  public String toString() {
    return "ClientCertificates{" + mode + " ca=" + ca + (revocationLists.isEmpty() ? "" : " crl=" + revocationLists)
        + (allowExpiredRevocationLists ? " allowExpiredCrl" : "") + "}";
  }
}
