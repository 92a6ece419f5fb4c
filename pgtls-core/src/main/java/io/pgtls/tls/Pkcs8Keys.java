package io.pgtls.tls;

import io.pgtls.tls.DerReader.Element;
import io.pgtls.tls.DerReader.MalformedDerException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Map;

/** Turns a PKCS#8 PrivateKeyInfo into a JDK {@link PrivateKey}, choosing the KeyFactory by OID. */
final class Pkcs8Keys {

  static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
  static final String RSASSA_PSS = "1.2.840.113549.1.1.10";
  static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
  static final String ED25519 = "1.3.101.112";
  static final String ED448 = "1.3.101.113";

  private static final Map<String, String> KEY_FACTORIES = Map.of(
      RSA_ENCRYPTION, "RSA",
      RSASSA_PSS, "RSASSA-PSS",
      EC_PUBLIC_KEY, "EC",
      ED25519, "Ed25519",
      ED448, "Ed448");

  private Pkcs8Keys() {
  }

  static PrivateKey decode(byte[] privateKeyInfo) throws MaterialProblem {
    String oid;
    try {
      DerReader info = new DerReader(privateKeyInfo).next(DerReader.SEQUENCE, "PrivateKeyInfo").children();
      info.next(DerReader.INTEGER, "version");
      Element algorithm = info.next(DerReader.SEQUENCE, "AlgorithmIdentifier");
      oid = DerReader.objectIdentifier(algorithm.children().next(DerReader.OBJECT_IDENTIFIER, "algorithm"));
      info.next(DerReader.OCTET_STRING, "privateKey");
    } catch (MalformedDerException e) {
      throw new MaterialProblem("the PKCS#8 private key is malformed (" + e.getMessage() + ")", e);
    }
    String algorithm = KEY_FACTORIES.get(oid);
    if (algorithm == null) {
      throw new MaterialProblem("unsupported private key algorithm (OID " + oid
          + "); pgtls supports RSA, EC (named curves) and Ed25519/Ed448 keys");
    }
    KeyFactory factory;
    try {
      factory = KeyFactory.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new MaterialProblem("this Java runtime cannot load " + algorithm + " private keys", e);
    }
    try {
      return factory.generatePrivate(new PKCS8EncodedKeySpec(privateKeyInfo));
    } catch (InvalidKeySpecException e) {
      String hint = algorithm.equals("EC")
          ? " (is the curve supported by this Java runtime? P-256, P-384 and P-521 are)"
          : "";
      throw new MaterialProblem("the " + algorithm + " private key is not valid: " + e.getMessage() + hint, e);
    }
  }
}
