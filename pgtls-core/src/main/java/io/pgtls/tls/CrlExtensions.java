package io.pgtls.tls;

import java.security.cert.X509CRL;
import java.util.Set;

/**
 * Refuses CRLs that cannot be applied as a complete list of a CA's revoked certificates: delta
 * CRLs, CRLs whose issuingDistributionPoint limits them to part of the CA's certificates, and CRLs
 * with a critical extension pgtls does not know. RFC 5280 forbids using a CRL with an unknown
 * critical extension; applying a partial CRL as a complete one would pass certificates it does not
 * cover.
 */
final class CrlExtensions {

  static final String DELTA_CRL_INDICATOR = "2.5.29.27";
  static final String ISSUING_DISTRIBUTION_POINT = "2.5.29.28";

  private CrlExtensions() {
  }

  static void check(X509CRL crl) throws MaterialProblem {
    if (crl.getExtensionValue(DELTA_CRL_INDICATOR) != null) {
      throw new MaterialProblem("it is a delta CRL, which pgtls does not apply; give the complete (base) CRL");
    }
    byte[] distributionPoint = crl.getExtensionValue(ISSUING_DISTRIBUTION_POINT);
    if (distributionPoint != null) {
      checkFullScope(distributionPoint);
    }
    Set<String> critical = crl.getCriticalExtensionOIDs();
    if (critical != null) {
      for (String oid : critical) {
        if (!oid.equals(ISSUING_DISTRIBUTION_POINT)) {
          throw new MaterialProblem("it has a critical extension pgtls does not know (" + oid + ")");
        }
      }
    }
  }

  /**
   * IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0], onlyContainsUserCerts [1],
   * onlyContainsCACerts [2], onlySomeReasons [3], indirectCRL [4], onlyContainsAttributeCerts [5] }.
   * In DER, the booleans appear only when true, so any element but the name [0] narrows the CRL.
   *
   * <p>JDK quirk: {@code getExtensionValue} returns the extnValue still wrapped in its OCTET STRING.
   */
  private static void checkFullScope(byte[] extensionValue) throws MaterialProblem {
    try {
      DerReader.Element octets = new DerReader(extensionValue).next(DerReader.OCTET_STRING, "extension value");
      DerReader fields = new DerReader(octets.value()).next(DerReader.SEQUENCE, "IssuingDistributionPoint").children();
      while (fields.hasMore()) {
        if (fields.next().tag() != DerReader.contextTag(0)) {
          throw new MaterialProblem("its issuingDistributionPoint limits it to part of the CA's certificates "
              + "(only user, CA or attribute certificates, some reasons, or an indirect CRL), which pgtls does not "
              + "apply; give a CRL that covers all of them");
        }
      }
    } catch (DerReader.MalformedDerException e) {
      throw new MaterialProblem("its issuingDistributionPoint extension is malformed: " + e.getMessage(), e);
    }
  }
}
