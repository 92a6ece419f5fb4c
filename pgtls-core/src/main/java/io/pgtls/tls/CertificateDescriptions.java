package io.pgtls.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.security.auth.x500.X500Principal;

/** One-line descriptions of certificates for log lines. */
final class CertificateDescriptions {

  /** Bytes of the SHA-256 fingerprint shown; enough to tell certificates apart in logs. */
  private static final int FINGERPRINT_PREFIX_BYTES = 8;

  private CertificateDescriptions() {
  }

  /** {@code CN=db.example.com (issuer CN=Example CA, expires 2026-01-31T12:00:00Z, SHA-256 3A:F1:...)}. */
  static String describe(X509Certificate certificate) {
    return name(certificate.getSubjectX500Principal())
        + " (issuer " + name(certificate.getIssuerX500Principal())
        + ", expires " + certificate.getNotAfter().toInstant()
        + ", SHA-256 " + fingerprintPrefix(certificate) + ")";
  }

  /** {@code CN=...} when the name has a common name, else the whole RFC 2253 name. */
  static String name(X500Principal principal) {
    String dn = principal.getName(X500Principal.RFC2253);
    String cn = commonName(dn);
    return cn != null ? "CN=" + cn : (dn.isEmpty() ? "(empty name)" : dn);
  }

  /** The first (most specific) CN of an RFC 2253 name, unescaped, or null. */
  static String commonName(String rfc2253) {
    int i = 0;
    int n = rfc2253.length();
    while (i < n) {
      int attributeStart = i;
      while (i < n && rfc2253.charAt(i) != '=') {
        i++;
      }
      String type = rfc2253.substring(attributeStart, i).strip();
      i++; // '='
      StringBuilder value = new StringBuilder();
      while (i < n && rfc2253.charAt(i) != ',' && rfc2253.charAt(i) != '+') {
        char c = rfc2253.charAt(i);
        if (c == '\\' && i + 1 < n) {
          value.append(rfc2253.charAt(i + 1));
          i += 2;
        } else {
          value.append(c);
          i++;
        }
      }
      i++; // ',' or '+'
      if (type.equalsIgnoreCase("CN")) {
        return value.toString();
      }
    }
    return null;
  }

  static String fingerprintPrefix(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest, 0, FINGERPRINT_PREFIX_BYTES) + ":...";
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return "(unavailable: " + e.getMessage() + ")";
    }
  }
}
