package io.pgtls.internal.identity;

import io.pgtls.ClientCertificates;
import io.pgtls.ClientIdentity;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A route's rule for which client certificates may log in as which database users, compiled once
 * (the map read and checked) and then applied to each session after its StartupMessage, with
 * PostgreSQL's {@code cert} authentication semantics:
 *
 * <ul>
 *   <li>Without a certificate, a {@link ClientCertificates.Mode#REQUIRED} route refuses the
 *       session and an {@link ClientCertificates.Mode#OPTIONAL} one lets it go on.
 *   <li>Without a {@link ClientIdentity}, any verified certificate may use any user.
 *   <li>With one and no map, some identity of the certificate must equal the user exactly
 *       (case-sensitive), as PostgreSQL's {@code check_usermap} compares without a map.
 *   <li>With a map, some line must pair an identity with the user; identities are tried in
 *       certificate order, lines in map order. PostgreSQL has one identity per certificate (its CN
 *       or DN); a source of several (the subjectAltNames) allows the user if any of them would.
 * </ul>
 */
public final class IdentityCheck {
  /** What the check decided. */
  public enum Result {
    /** The session may go on. */
    ALLOWED,
    /**
     * No client certificate on a route that requires one: PostgreSQL's "connection requires a
     * valid client certificate".
     */
    NO_CERTIFICATE,
    /** The certificate may not log in as the user: PostgreSQL's "certificate authentication failed for user". */
    NOT_AUTHORISED
  }

  /**
   * The decision for one session.
   *
   * @param result what was decided
   * @param identity the identity that was allowed (for a backend setting and the log); for a
   *     refusal, the candidates joined with ", "; "" when there is none
   * @param mapLine the map line that paired identity and user ({@link IdentMap.Match#describe()}),
   *     or ""
   * @param reason why, in words for the operator's log line
   */
  public record Verdict(Result result, String identity, String mapLine, String reason) {
    public Verdict {
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(mapLine, "mapLine");
      Objects.requireNonNull(reason, "reason");
    }

    public boolean allowed() {
      return result == Result.ALLOWED;
    }

    @Override
    public String toString() {
      return "Verdict{" + result + " identity=" + LogText.quoted(identity)
          + (mapLine.isEmpty() ? "" : " line=" + LogText.quoted(mapLine)) + ": " + reason + "}";
    }
  }

  private final ClientCertificates.Mode mode;
  private final ClientIdentity rule;
  private final IdentMap map;

  private IdentityCheck(ClientCertificates.Mode mode, ClientIdentity rule, IdentMap map) {
    this.mode = mode;
    this.rule = rule;
    this.map = map;
  }

  /**
   * The check for a route whose client certificates are {@code mode} and whose identity rule is
   * {@code identityOrNull} (null: any user); reads the rule's map file or lines.
   *
   * @throws IdentMapException when the map cannot be read or used
   */
  public static IdentityCheck compile(ClientCertificates.Mode mode, ClientIdentity identityOrNull) {
    Objects.requireNonNull(mode, "mode");
    IdentMap map = null;
    if (identityOrNull != null && identityOrNull.mapFile() != null) {
      map = IdentMap.read(identityOrNull.mapFile(), identityOrNull.mapName());
    } else if (identityOrNull != null && identityOrNull.mapLines() != null) {
      map = IdentMap.parse(identityOrNull.mapLines(), IdentMap.MAP_LINES, identityOrNull.mapName());
    }
    return new IdentityCheck(mode, identityOrNull, map);
  }

  /**
   * Whether a session whose client sent {@code peerLeafOrNull} (its verified leaf certificate, or
   * null for none) may log in as {@code user}, the StartupMessage's user.
   */
  public Verdict check(X509Certificate peerLeafOrNull, String user) {
    Objects.requireNonNull(user, "user");
    if (peerLeafOrNull == null) {
      return switch (mode) {
        case REQUIRED ->
            new Verdict(Result.NO_CERTIFICATE, "", "", "no client certificate, and this route requires one");
        case OPTIONAL -> new Verdict(Result.ALLOWED, "", "", "no client certificate (optional on this route)");
      };
    }
    if (rule == null) {
      List<String> cn = CertificateIdentities.of(peerLeafOrNull, ClientIdentity.Source.CN);
      List<String> shown = cn.isEmpty() ? CertificateIdentities.of(peerLeafOrNull, ClientIdentity.Source.DN) : cn;
      return new Verdict(Result.ALLOWED, shown.isEmpty() ? "" : shown.get(0), "",
          "any user (no identity rule on this route)");
    }
    ClientIdentity.Source source = rule.source();
    List<String> identities = CertificateIdentities.of(peerLeafOrNull, source);
    if (identities.isEmpty()) {
      return new Verdict(Result.NOT_AUTHORISED, "", "", "the client certificate has " + missing(source));
    }
    return map == null ? compare(identities, source, user) : lookUp(identities, source, user);
  }

  private static Verdict compare(List<String> identities, ClientIdentity.Source source, String user) {
    for (String identity : identities) {
      if (identity.equals(user)) {
        return new Verdict(Result.ALLOWED, identity, "",
            "identity " + LogText.quoted(identity) + " (" + source + ") equals the user");
      }
    }
    return new Verdict(Result.NOT_AUTHORISED, String.join(", ", identities), "",
        candidates(identities, source) + (identities.size() == 1 ? " does not equal" : " equals")
            + " user " + LogText.quoted(user) + " (case-sensitive)");
  }

  private Verdict lookUp(List<String> identities, ClientIdentity.Source source, String user) {
    for (String identity : identities) {
      Optional<IdentMap.Match> match = map.match(identity, user);
      if (match.isPresent()) {
        return new Verdict(Result.ALLOWED, identity, match.get().describe(), "identity " + LogText.quoted(identity)
            + " (" + source + ") is paired with user " + LogText.quoted(user) + " by map '" + map.name() + "'");
      }
    }
    String pairing = " in map '" + map.name() + "' pairing it with user " + LogText.quoted(user);
    return new Verdict(Result.NOT_AUTHORISED, String.join(", ", identities), "",
        candidates(identities, source) + (identities.size() == 1 ? " has no line" : " has a line") + pairing);
  }

  /** "identity "a" (CN)" for one, "none of the identities "a", "b" (SAN_DNS)" for several. */
  private static String candidates(List<String> identities, ClientIdentity.Source source) {
    String names = identities.stream().map(LogText::quoted).collect(Collectors.joining(", "));
    return (identities.size() == 1 ? "identity " : "none of the identities ") + names + " (" + source + ")";
  }

  private static String missing(ClientIdentity.Source source) {
    return switch (source) {
      case CN -> "no CN";
      case DN -> "an empty subject DN";
      case SAN_DNS -> "no subjectAltName dNSName";
      case SAN_EMAIL -> "no subjectAltName rfc822Name (e-mail address)";
      case SAN_URI -> "no subjectAltName URI";
    };
  }

  /** The StartupMessage setting that carries the allowed identity to the backend, or null. */
  public String backendSetting() {
    return rule == null ? null : rule.backendSetting();
  }

  /** Where identities come from, or null when the route has no identity rule. */
  public ClientIdentity.Source source() {
    return rule == null ? null : rule.source();
  }

  @Override
  public String toString() {
    return "IdentityCheck{" + mode + " " + (rule == null ? "any user" : rule.source()
        + (map == null ? " equals user" : " via map '" + map.name() + "' in " + map.origin())
        + (rule.backendSetting() == null ? "" : " backendSetting=" + rule.backendSetting())) + "}";
  }
}
