package io.pgtls.internal.identity;

import io.pgtls.ClientIdentity;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/** The identities a client certificate holds for one {@link ClientIdentity.Source}. */
public final class CertificateIdentities {
  /** GeneralName tags of subjectAltName entries (RFC 5280 §4.2.1.6). */
  private static final int RFC822_NAME = 1;
  private static final int DNS_NAME = 2;
  private static final int URI = 6;

  private CertificateIdentities() {}

  /**
   * The identities {@code cert} holds for {@code source}, in certificate order; empty when it holds
   * none or cannot be parsed (never an exception). An identity is never empty and never holds a
   * NUL character.
   *
   * <ul>
   *   <li>{@link ClientIdentity.Source#CN}: the first commonName of the subject, as PostgreSQL
   *       takes it (see {@link SubjectCommonName}); at most one.
   *   <li>{@link ClientIdentity.Source#DN}: the subject as Java's {@link X500Principal#RFC2253}
   *       text, such as {@code CN=alice,O=Acme}; at most one. It equals what PostgreSQL's
   *       {@code clientname=DN} gets from OpenSSL's {@code XN_FLAG_RFC2253} for the common
   *       attributes (CN, O, OU, C, L, ST, DC, UID, STREET, ...), but Java writes any other
   *       attribute type as its OID with the hex DER value, so an emailAddress reads
   *       {@code 1.2.840.113549.1.9.1=#16...} where OpenSSL writes {@code emailAddress=...}.
   *   <li>{@link ClientIdentity.Source#SAN_DNS}, {@link ClientIdentity.Source#SAN_EMAIL},
   *       {@link ClientIdentity.Source#SAN_URI}: every subjectAltName dNSName, rfc822Name or URI.
   *       A wildcard dNSName such as {@code *.example.com} is the literal string, never a pattern.
   * </ul>
   */
  public static List<String> of(X509Certificate cert, ClientIdentity.Source source) {
    try {
      return switch (source) {
        case CN -> SubjectCommonName.of(cert.getSubjectX500Principal().getEncoded()).map(List::of).orElse(List.of());
        case DN -> subjectDn(cert);
        case SAN_DNS -> subjectAltNames(cert, DNS_NAME);
        case SAN_EMAIL -> subjectAltNames(cert, RFC822_NAME);
        case SAN_URI -> subjectAltNames(cert, URI);
      };
    } catch (CertificateParsingException | RuntimeException unparsable) {
      return List.of();
    }
  }

  private static List<String> subjectDn(X509Certificate cert) {
    String dn = cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
    return usable(dn) ? List.of(dn) : List.of();
  }

  private static List<String> subjectAltNames(X509Certificate cert, int type) throws CertificateParsingException {
    Collection<List<?>> names = cert.getSubjectAlternativeNames();
    if (names == null) {
      return List.of();
    }
    List<String> identities = new ArrayList<>();
    for (List<?> name : names) {
      // The JDK gives each entry as [Integer type, value]; the value is a String for these types.
      if (name.size() >= 2 && name.get(0) instanceof Integer tag && tag == type
          && name.get(1) instanceof String value && usable(value)) {
        identities.add(value);
      }
    }
    return List.copyOf(identities);
  }

  private static boolean usable(String identity) {
    return !identity.isEmpty() && identity.indexOf('\0') < 0;
  }
}
