package io.pgtls.internal.route;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Whether a route's certificate names the server names the route serves, as a client checking
 * {@code sslmode=verify-full} would judge it (RFC 6125 §6.4: DNS subject alternative names, the
 * CN only when there are none; a certificate wildcard stands for one whole first label). A route
 * that serves a name its certificate does not cover fails every verify-full client that asks for
 * it; {@code --check} warns.
 */
final class CertificateCoverage {
  private CertificateCoverage() {}

  /** The route's patterns its certificate does not cover (no_sni is a lack of a name, never covered). */
  static List<String> uncovered(X509Certificate certificate, List<String> patterns) {
    List<String> names = dnsNames(certificate);
    List<String> out = new ArrayList<>();
    for (String pattern : patterns) {
      String p = ServerNamePattern.normalise(pattern);
      if (p.equals(ServerNamePattern.NO_SNI)) {
        continue;
      }
      boolean covered = names.stream().anyMatch(n -> covers(n, p));
      if (!covered) {
        out.add(pattern);
      }
    }
    return out;
  }

  /**
   * A certificate name covers an exact pattern when equal, or when it is {@code *.suffix} and the
   * pattern is one label in front of that suffix; it covers a wildcard pattern only when it is
   * the same wildcard (names under a wildcard are open-ended).
   */
  static boolean covers(String certName, String pattern) {
    String n = certName.toLowerCase(Locale.ROOT);
    if (n.equals(pattern)) {
      return true;
    }
    if (pattern.startsWith("*.") || !n.startsWith("*.")) {
      return false;
    }
    int dot = pattern.indexOf('.');
    return dot > 0 && pattern.substring(dot).equals(n.substring(1));
  }

  private static List<String> dnsNames(X509Certificate certificate) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(2).equals(san.get(0))) {
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable SANs: fall back to the CN as clients do
    }
    if (names.isEmpty()) {
      try {
        for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            names.add(String.valueOf(rdn.getValue()));
          }
        }
      } catch (InvalidNameException e) {
        // no CN either: nothing is covered
      }
    }
    return names;
  }
}
