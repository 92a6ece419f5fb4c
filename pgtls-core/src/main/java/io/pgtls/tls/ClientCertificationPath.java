package io.pgtls.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The certificates a client's chain is checked against CRLs along, from its leaf up to its trust
 * anchor, as OpenSSL (PostgreSQL's {@code ssl_crl_file}) walks it: each certificate's issuer is the
 * certificate whose subject is its issuer name and whose key verifies its signature, looked for
 * among the client_ca certificates first, then the client's own chain. The walk ends at a
 * self-issued client_ca certificate, or at a client_ca certificate whose issuer is not in client_ca
 * either. Once in client_ca, it never climbs back into certificates the client sent.
 */
final class ClientCertificationPath {

  private ClientCertificationPath() {
  }

  /**
   * The path, leaf first, anchor last. Called after the PKIX trust manager accepted {@code chain},
   * so a missing issuer means a chain PKIX completed some other way.
   */
  static List<X509Certificate> of(X509Certificate[] chain, List<X509Certificate> anchors) throws CertificateException {
    List<X509Certificate> path = new ArrayList<>();
    X509Certificate current = chain[0];
    path.add(current);
    while (true) {
      boolean anchor = anchors.contains(current);
      if (anchor && current.getSubjectX500Principal().equals(current.getIssuerX500Principal())) {
        return path;
      }
      X509Certificate issuer = issuerAmong(current, anchors);
      if (issuer == null && !anchor) {
        issuer = issuerAmong(current, List.of(chain));
      }
      if (issuer == null) {
        if (anchor) {
          return path;
        }
        throw new CertificateException("cannot find the issuer " + name(current.getIssuerX500Principal()) + " of "
            + name(current.getSubjectX500Principal()) + " in the client's chain or this route's client_ca");
      }
      if (path.contains(issuer)) {
        throw new CertificateException("the client's certificate chain loops at " + name(issuer.getSubjectX500Principal()));
      }
      path.add(issuer);
      current = issuer;
    }
  }

  private static X509Certificate issuerAmong(X509Certificate certificate, List<X509Certificate> candidates) {
    // X500Principal.equals compares canonical names (case and spacing folded), as OpenSSL's X509_NAME_cmp does.
    X500Principal wanted = certificate.getIssuerX500Principal();
    for (X509Certificate candidate : candidates) {
      if (!candidate.equals(certificate) && candidate.getSubjectX500Principal().equals(wanted)
          && verifies(certificate, candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static boolean verifies(X509Certificate certificate, X509Certificate issuer) {
    try {
      certificate.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static String name(X500Principal principal) {
    return principal.getName(X500Principal.RFC2253);
  }
}
