package io.pgtls.tls;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.CRLReason;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate revocation lists of a route's client certificates, checked as PostgreSQL checks
 * {@code ssl_crl_file} (OpenSSL's CRL_CHECK and CRL_CHECK_ALL): every certificate of a client's
 * chain but its trust anchor must be covered by a CRL of its issuer, that is a CRL naming the
 * issuer and signed by the issuer's key. A listed serial is refused; so is a certificate whose
 * issuer has no CRL here, and one whose issuer's CRL is past its nextUpdate unless expired CRLs are
 * allowed, when it is used and a warning logged. Of several CRLs of one issuer, a current one
 * decides over an expired one, then the one issued last. Immutable and thread-safe.
 *
 * <p>The JDK's PKIXRevocationChecker is not used: it passes certificates whose CRL has expired
 * without a word, and has no way to accept an expired CRL knowingly.
 */
public final class RevocationLists {

  /** What a CRL past its nextUpdate means for the certificates it covers. */
  public enum WhenExpired {
    /** They are refused until the CRL is renewed, as by PostgreSQL. */
    FAIL_CLOSED,
    /** The CRL is still applied, and each use logged (once a minute per CRL) as a warning. */
    USE_AND_WARN
  }

  private static final Logger LOG = LoggerFactory.getLogger(RevocationLists.class);

  private final List<X509Certificate> anchors;
  private final Map<X500Principal, List<RevocationList>> byIssuer;
  private final Map<Path, Instant> nextUpdates;
  private final WhenExpired whenExpired;
  private final CrlSignatures signatures;
  private final int count;

  private RevocationLists(List<X509Certificate> anchors, List<RevocationList> lists, Map<Path, Instant> nextUpdates,
      WhenExpired whenExpired, CrlSignatures signatures) {
    this.anchors = List.copyOf(anchors);
    Map<X500Principal, List<RevocationList>> grouped = new HashMap<>();
    for (RevocationList list : lists) {
      grouped.computeIfAbsent(list.issuer(), k -> new ArrayList<>()).add(list);
    }
    grouped.replaceAll((issuer, group) -> List.copyOf(group));
    this.byIssuer = Map.copyOf(grouped);
    this.nextUpdates = Collections.unmodifiableMap(new LinkedHashMap<>(nextUpdates));
    this.whenExpired = whenExpired;
    this.signatures = signatures;
    this.count = lists.size();
  }

  /**
   * Reads every CRL of {@code files} (each PEM or DER, one or more CRLs) for client certificates
   * verified against {@code clientCa}. A CRL whose issuer is a client_ca certificate must be signed
   * by its key; the CRLs of intermediate CAs are verified against the issuing certificate when a
   * client's chain shows it.
   *
   * @throws TlsMaterialException naming the file: unreadable, no CRL in it, not a CRL, a CRL that
   *     is not signed by the client_ca certificate it names, or one pgtls cannot apply as a
   *     complete list (a delta CRL, a CRL limited to part of its CA's certificates)
   */
  public static RevocationLists load(List<Path> files, TrustMaterial clientCa, WhenExpired whenExpired)
      throws TlsMaterialException {
    Objects.requireNonNull(clientCa, "clientCa");
    Objects.requireNonNull(whenExpired, "whenExpired");
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no CRL files");
    }
    CrlSignatures signatures = new CrlSignatures();
    List<RevocationList> lists = new ArrayList<>();
    Map<Path, Instant> nextUpdates = new LinkedHashMap<>();
    for (Path file : files) {
      for (X509CRL crl : CrlFiles.read(file)) {
        RevocationList list = new RevocationList(crl, file);
        try {
          CrlExtensions.check(crl);
        } catch (MaterialProblem e) {
          throw new TlsMaterialException("cannot use " + list.describe() + ": " + e.getMessage(), e.getCause());
        }
        requireSignedByItsClientCa(list, clientCa.certificates(), signatures);
        lists.add(list);
        nextUpdates.merge(file, list.nextUpdate(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    RevocationLists loaded = new RevocationLists(clientCa.certificates(), lists, nextUpdates, whenExpired, signatures);
    loaded.warnAboutExpiredIssuers();
    return loaded;
  }

  private static void requireSignedByItsClientCa(RevocationList list, List<X509Certificate> clientCa,
      CrlSignatures signatures) throws TlsMaterialException {
    List<X509Certificate> named = clientCa.stream()
        .filter(ca -> ca.getSubjectX500Principal().equals(list.issuer()))
        .toList();
    if (named.isEmpty()) {
      return; // an intermediate CA's CRL: verified against the chain that shows the intermediate
    }
    for (X509Certificate ca : named) {
      if (signatures.signedBy(list, ca.getPublicKey())) {
        return;
      }
    }
    throw new TlsMaterialException("cannot use " + list.describe() + ": it is not signed by the key of the client_ca "
        + "certificate " + TlsContexts.describe(named.get(0)) + "; a CRL must be signed by the CA it names as issuer");
  }

  /** An issuer whose CRLs have all expired gets a warning at load; an old CRL next to a current one does not. */
  private void warnAboutExpiredIssuers() {
    Instant now = Instant.now();
    for (List<RevocationList> group : byIssuer.values()) {
      RevocationList best = group.get(0);
      for (RevocationList list : group) {
        best = list.betterThan(best, now) ? list : best;
      }
      if (best.expiredAt(now)) {
        LOG.warn("{} expired at {}: {}", best.describe(), best.nextUpdate(), whenExpired == WhenExpired.FAIL_CLOSED
            ? "client certificates it covers are refused until it is renewed"
            : "it is still applied because expired CRLs are allowed; renew it");
      }
    }
  }

  /**
   * Checks every certificate of a client's chain, already accepted by the PKIX trust manager,
   * against the CRL of its issuer.
   *
   * @throws CertificateException whose message says which certificate is revoked, or which issuer
   *     has no usable CRL
   */
  void check(X509Certificate[] chain) throws CertificateException {
    List<X509Certificate> path = ClientCertificationPath.of(chain, anchors);
    Instant now = Instant.now();
    for (int i = 0; i + 1 < path.size(); i++) {
      check(path.get(i), path.get(i + 1), now);
    }
  }

  private void check(X509Certificate certificate, X509Certificate issuer, Instant now) throws CertificateException {
    List<RevocationList> named = byIssuer.getOrDefault(issuer.getSubjectX500Principal(), List.of());
    RevocationList decisive = null;
    for (RevocationList list : named) {
      if (signatures.signedBy(list, issuer.getPublicKey()) && (decisive == null || list.betterThan(decisive, now))) {
        decisive = list;
      }
    }
    String subject = ClientCertificationPath.name(certificate.getSubjectX500Principal());
    if (decisive == null) {
      throw new CertificateException("no CRL for issuer " + ClientCertificationPath.name(issuer.getSubjectX500Principal())
          + " of " + subject + " in this route's client_crl files" + (named.isEmpty() ? ""
              : " (" + named.size() + (named.size() == 1 ? " CRL names" : " CRLs name")
                  + " that issuer, but none is signed by its key)"));
    }
    if (decisive.expiredAt(now)) {
      if (whenExpired == WhenExpired.FAIL_CLOSED) {
        throw new CertificateException(decisive.describe() + " expired at " + decisive.nextUpdate()
            + ", so " + subject + " cannot be checked; renew the CRL");
      }
      if (decisive.expiryWarningDue()) {
        LOG.warn("applying {} although it expired at {} (expired CRLs are allowed), to {}; renew the CRL",
            decisive.describe(), decisive.nextUpdate(), subject);
      }
    }
    Optional<X509CRLEntry> entry = decisive.entry(certificate.getSerialNumber());
    if (entry.isPresent()) {
      throw new CertificateException("serial " + hex(certificate.getSerialNumber()) + " of " + subject
          + " is revoked by " + decisive.describe() + " (revoked at " + entry.get().getRevocationDate().toInstant()
          + reason(entry.get()) + ")");
    }
  }

  private static String reason(X509CRLEntry entry) {
    CRLReason reason = entry.getRevocationReason();
    return reason == null ? "" : ", reason " + reason.name().toLowerCase(Locale.ROOT);
  }

  private static String hex(BigInteger serial) {
    return serial.toString(16).toUpperCase(Locale.ROOT);
  }

  /** The client_ca certificates these CRLs were loaded for. */
  List<X509Certificate> anchors() {
    return anchors;
  }

  /**
   * Per file, in the order given, the earliest nextUpdate of its CRLs: when the file must be
   * replaced by; {@link Instant#MAX} when its CRLs name no nextUpdate.
   */
  public Map<Path, Instant> nextUpdates() {
    return nextUpdates;
  }

  public WhenExpired whenExpired() {
    return whenExpired;
  }

  @Override
  public String toString() {
    return "RevocationLists[" + count + " CRLs of " + byIssuer.size() + " issuers from " + nextUpdates.keySet() + ", "
        + whenExpired + "]";
  }
}
