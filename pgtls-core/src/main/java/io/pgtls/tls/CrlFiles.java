package io.pgtls.tls;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a certificate revocation list file: DER (one or more CRLs one after the other), or PEM
 * with one or more {@code BEGIN X509 CRL} blocks as openssl writes them, text between blocks
 * ignored.
 */
final class CrlFiles {

  static final String PEM_LABEL = "X509 CRL";

  /** Every DER encoding starts with its outer SEQUENCE tag; PEM starts with text. */
  private static final int DER_SEQUENCE = 0x30;

  private CrlFiles() {
  }

  /** The CRLs of {@code file}, in file order; never empty. */
  static List<X509CRL> read(Path file) throws TlsMaterialException {
    String purpose = "certificate revocation lists";
    byte[] bytes = MaterialFile.readBytes(file, purpose);
    try {
      if ((bytes[0] & 0xFF) == DER_SEQUENCE) {
        return parse(bytes, "the file");
      }
      List<PemBlock> blocks = PemParser.parse(MaterialFile.readText(file, purpose));
      List<X509CRL> crls = new ArrayList<>();
      for (PemBlock block : blocks) {
        if (block.label().equals(PEM_LABEL)) {
          crls.addAll(parse(block.der(), "the " + block.describe() + " block"));
        }
      }
      if (crls.isEmpty()) {
        throw new MaterialProblem("no CRL in the file (expected BEGIN " + PEM_LABEL + " blocks, or DER)"
            + Pem.found(blocks));
      }
      return crls;
    } catch (MaterialProblem e) {
      throw new TlsMaterialException("cannot read " + purpose + " from " + MaterialFile.display(file) + ": "
          + e.getMessage(), e.getCause());
    }
  }

  /**
   * JDK quirk relied on: {@code CertificateFactory.generateCRLs} reads every DER CRL of a byte
   * sequence, one after another, and its X.509 factory makes X509CRL objects.
   */
  private static List<X509CRL> parse(byte[] der, String where) throws MaterialProblem {
    try {
      List<X509CRL> crls = new ArrayList<>();
      for (CRL crl : CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(der))) {
        crls.add((X509CRL) crl);
      }
      if (crls.isEmpty()) {
        throw new MaterialProblem(where + " holds no CRL");
      }
      return crls;
    } catch (CRLException e) {
      throw new MaterialProblem(where + " is not a valid X.509 CRL: " + e.getMessage(), e);
    } catch (CertificateException e) {
      throw new IllegalStateException("this Java runtime has no X.509 certificate factory", e);
    }
  }
}
