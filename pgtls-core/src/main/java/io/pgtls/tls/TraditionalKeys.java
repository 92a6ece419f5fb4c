package io.pgtls.tls;

import io.pgtls.tls.DerReader.Element;
import io.pgtls.tls.DerReader.MalformedDerException;

/**
 * Re-wraps the pre-PKCS#8 OpenSSL key formats ("traditional" keys) into a PKCS#8
 * PrivateKeyInfo, the only encoding the JDK's KeyFactory accepts.
 */
final class TraditionalKeys {

  private TraditionalKeys() {
  }

  /**
   * PKCS#1 RSAPrivateKey ({@code BEGIN RSA PRIVATE KEY}) to PKCS#8: the RSA structure becomes
   * the privateKey OCTET STRING next to AlgorithmIdentifier {rsaEncryption, NULL} (RFC 8017 A.1).
   */
  static byte[] rsaToPkcs8(byte[] rsaPrivateKey) throws MaterialProblem {
    try {
      DerReader key = new DerReader(rsaPrivateKey);
      DerReader fields = key.next(DerReader.SEQUENCE, "RSAPrivateKey").children();
      fields.next(DerReader.INTEGER, "version");
      fields.next(DerReader.INTEGER, "modulus");
      if (key.hasMore()) {
        throw new MalformedDerException("unexpected data after the key");
      }
    } catch (MalformedDerException e) {
      throw new MaterialProblem("the RSA PRIVATE KEY block is not a PKCS#1 RSA key (" + e.getMessage() + ")", e);
    }
    return privateKeyInfo(
        DerWriter.sequence(DerWriter.objectIdentifier(Pkcs8Keys.RSA_ENCRYPTION), DerWriter.nullValue()),
        rsaPrivateKey);
  }

  /**
   * SEC1 / RFC 5915 ECPrivateKey ({@code BEGIN EC PRIVATE KEY}) to PKCS#8 with
   * AlgorithmIdentifier {id-ecPublicKey, namedCurve}. The curve comes from the key's own
   * {@code [0] parameters}; when a key omits them, {@code curveFromParametersBlock} (the
   * encoded OID of a preceding {@code BEGIN EC PARAMETERS} block, or null) is used.
   */
  static byte[] ecToPkcs8(byte[] ecPrivateKey, byte[] curveFromParametersBlock) throws MaterialProblem {
    byte[] curve = null;
    try {
      DerReader key = new DerReader(ecPrivateKey);
      DerReader fields = key.next(DerReader.SEQUENCE, "ECPrivateKey").children();
      fields.next(DerReader.INTEGER, "version");
      fields.next(DerReader.OCTET_STRING, "privateKey");
      while (fields.hasMore()) {
        Element field = fields.next();
        if (field.tag() == DerReader.contextTag(0)) {
          curve = namedCurve(field.children().next());
        }
      }
      if (key.hasMore()) {
        throw new MalformedDerException("unexpected data after the key");
      }
    } catch (MalformedDerException e) {
      throw new MaterialProblem("the EC PRIVATE KEY block is not a SEC1 EC key (" + e.getMessage() + ")", e);
    }
    if (curve == null) {
      curve = curveFromParametersBlock;
    }
    if (curve == null) {
      throw new MaterialProblem("the EC PRIVATE KEY block does not say which curve it uses; convert it with "
          + "'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem' and use KEY.pk8.pem");
    }
    return privateKeyInfo(
        DerWriter.sequence(DerWriter.objectIdentifier(Pkcs8Keys.EC_PUBLIC_KEY), curve),
        ecPrivateKey);
  }

  /** The encoded curve OID of a {@code BEGIN EC PARAMETERS} block (an ECParameters CHOICE). */
  static byte[] curveOfParametersBlock(byte[] ecParameters) throws MaterialProblem {
    try {
      return namedCurve(new DerReader(ecParameters).next());
    } catch (MalformedDerException e) {
      throw new MaterialProblem("the EC PARAMETERS block is malformed (" + e.getMessage() + ")", e);
    }
  }

  private static byte[] namedCurve(Element parameters) throws MalformedDerException, MaterialProblem {
    if (parameters.tag() == DerReader.OBJECT_IDENTIFIER) {
      DerReader.objectIdentifier(parameters); // validates it
      return parameters.encoding();
    }
    throw new MaterialProblem("the EC key spells out its curve parameters instead of naming the curve; "
        + "convert it with 'openssl ec -in KEY -param_enc named_curve -out KEY.named.pem'");
  }

  private static byte[] privateKeyInfo(byte[] algorithmIdentifier, byte[] privateKey) {
    return DerWriter.sequence(
        DerWriter.smallInteger(0),
        algorithmIdentifier,
        DerWriter.octetString(privateKey));
  }
}
