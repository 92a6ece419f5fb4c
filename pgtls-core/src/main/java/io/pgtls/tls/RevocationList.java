package io.pgtls.tls;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;

/** One CRL as loaded from a route's client_crl files, with the file it came from. */
final class RevocationList {

  /** How often the use of one expired CRL is logged, at most. */
  static final Duration EXPIRY_WARNING_INTERVAL = Duration.ofMinutes(1);

  private final X509CRL crl;
  private final Path file;
  private final Instant thisUpdate;
  private final Instant nextUpdate;
  /** System.nanoTime() of the last warning about this CRL's expiry; one interval ago at first. */
  private final AtomicLong lastExpiryWarning =
      new AtomicLong(System.nanoTime() - EXPIRY_WARNING_INTERVAL.toNanos());

  RevocationList(X509CRL crl, Path file) {
    this.crl = crl;
    this.file = file;
    this.thisUpdate = crl.getThisUpdate().toInstant();
    // A CRL without nextUpdate never expires (RFC 5280 requires one, OpenSSL accepts its absence).
    this.nextUpdate = crl.getNextUpdate() == null ? Instant.MAX : crl.getNextUpdate().toInstant();
  }

  X509CRL crl() {
    return crl;
  }

  X500Principal issuer() {
    return crl.getIssuerX500Principal();
  }

  Path file() {
    return file;
  }

  /** When the CRL says its successor is due; {@link Instant#MAX} when it names no date. */
  Instant nextUpdate() {
    return nextUpdate;
  }

  boolean expiredAt(Instant now) {
    return nextUpdate.isBefore(now);
  }

  /** The entry revoking {@code serial}, if this CRL lists it. */
  Optional<X509CRLEntry> entry(BigInteger serial) {
    return Optional.ofNullable(crl.getRevokedCertificate(serial));
  }

  /**
   * Whether this CRL should decide rather than {@code other} of the same issuer, as OpenSSL picks
   * among several: a current one over an expired one, then the one issued last.
   */
  boolean betterThan(RevocationList other, Instant now) {
    boolean current = !expiredAt(now);
    if (current != !other.expiredAt(now)) {
      return current;
    }
    return thisUpdate.isAfter(other.thisUpdate);
  }

  /**
   * True at most once per {@link #EXPIRY_WARNING_INTERVAL}: whether a warning about this CRL's
   * expiry is due now.
   */
  boolean expiryWarningDue() {
    long now = System.nanoTime();
    long last = lastExpiryWarning.get();
    return now - last >= EXPIRY_WARNING_INTERVAL.toNanos() && lastExpiryWarning.compareAndSet(last, now);
  }

  /** {@code the CRL of CN=Example CA in /etc/pgtls/ca.crl}, for messages. */
  String describe() {
    return "the CRL of " + issuer().getName(X500Principal.RFC2253) + " in " + MaterialFile.display(file);
  }

  @Override
  public String toString() {
    return "RevocationList[" + issuer().getName(X500Principal.RFC2253) + " from " + file + ", thisUpdate " + thisUpdate
        + ", nextUpdate " + (nextUpdate.equals(Instant.MAX) ? "none" : nextUpdate) + "]";
  }
}
