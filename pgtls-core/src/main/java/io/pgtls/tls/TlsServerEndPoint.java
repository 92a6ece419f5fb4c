package io.pgtls.tls;

import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.PSSParameterSpec;
import java.util.Locale;

/**
 * RFC 5929 tls-server-end-point channel binding data, as PostgreSQL computes it for
 * SCRAM-SHA-256-PLUS: a hash of the server certificate's DER encoding.
 */
final class TlsServerEndPoint {

  private TlsServerEndPoint() {
  }

  static byte[] hash(X509Certificate certificate) {
    String digest = digestFor(certificate);
    try {
      return MessageDigest.getInstance(digest).digest(certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot hash certificate with " + digest + ": " + e.getMessage(), e);
    }
  }

  /**
   * The certificate signature's hash, with MD5 and SHA-1 replaced by SHA-256 (RFC 5929 4.1,
   * and PostgreSQL's be_tls_get_certificate_hash).
   */
  static String digestFor(X509Certificate certificate) {
    String signatureAlgorithm = certificate.getSigAlgName();
    String upper = signatureAlgorithm.toUpperCase(Locale.ROOT);
    String hash;
    if (upper.equals("RSASSA-PSS")) {
      hash = pssDigest(certificate);
    } else {
      int with = upper.indexOf("WITH");
      if (with <= 0) {
        // Ed25519, Ed448: the signature has no separate hash, so RFC 5929 leaves the
        // binding undefined and PostgreSQL refuses channel binding for such certificates.
        throw new IllegalArgumentException("certificate signature algorithm " + signatureAlgorithm
            + " uses no separate hash function, so tls-server-end-point is undefined for it");
      }
      hash = upper.substring(0, with);
    }
    switch (hash) {
      case "MD5":
      case "SHA1":
      case "SHA-1":
      case "SHA":
        return "SHA-256";
      case "SHA224":
        return "SHA-224";
      case "SHA256":
        return "SHA-256";
      case "SHA384":
        return "SHA-384";
      case "SHA512":
        return "SHA-512";
      default:
        return hash; // already a JDK digest name, e.g. SHA-256, SHA3-256, SHA-512/256
    }
  }

  /** JDK quirk: getSigAlgName() is just "RSASSA-PSS"; the hash is inside the parameters. */
  private static String pssDigest(X509Certificate certificate) {
    byte[] encodedParameters = certificate.getSigAlgParams();
    if (encodedParameters == null) {
      throw new IllegalArgumentException("the certificate's RSASSA-PSS signature has no parameters");
    }
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("RSASSA-PSS");
      parameters.init(encodedParameters);
      return parameters.getParameterSpec(PSSParameterSpec.class).getDigestAlgorithm().toUpperCase(Locale.ROOT);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot read the hash of the certificate's RSASSA-PSS signature: "
          + e.getMessage(), e);
    }
  }
}
