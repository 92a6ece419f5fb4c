package io.pgtls.tls;

import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;

/** Checks that a certificate file lists its chain leaf first, each certificate followed by its issuer. */
final class CertificateChains {

  private CertificateChains() {
  }

  /**
   * JDK quirk (PKCS12KeyStore.setKeyEntry): the keystore that feeds the KeyManager refuses a
   * chain with {@code KeyStoreException("Certificate chain is not valid")} when a
   * certificate's issuer name is not the next certificate's subject name, or when a
   * certificate repeats. That would only surface when the SSLContext is built, naming
   * neither the file nor the certificate; check the same rule when the file is loaded.
   */
  static void checkOrder(List<X509Certificate> chain) throws MaterialProblem {
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate certificate = chain.get(i);
      X509Certificate next = chain.get(i + 1);
      if (!certificate.getIssuerX500Principal().equals(next.getSubjectX500Principal())) {
        throw new MaterialProblem("certificate #" + (i + 2) + " (" + next.getSubjectX500Principal().getName()
            + ") did not issue certificate #" + (i + 1) + " (issued by "
            + certificate.getIssuerX500Principal().getName() + "); list the server's own certificate first, "
            + "then each CA certificate directly after the certificate it signed");
      }
    }
    if (new HashSet<>(chain).size() != chain.size()) {
      throw new MaterialProblem("the same certificate appears more than once");
    }
  }
}
