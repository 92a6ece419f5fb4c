package io.pgtls.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;

/** Decides whether a private key belongs to a certificate's public key. */
final class KeyPairCheck {

  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyPairCheck() {
  }

  /**
   * True if {@code privateKey} belongs to {@code publicKey}.
   *
   * @throws MaterialProblem if this Java runtime cannot sign with the private key at all.
   *                         JDK quirk: since JDK 16 SunEC still <em>parses</em> keys on curves
   *                         it dropped (e.g. secp256k1) but fails to sign with them; that must
   *                         not be reported as a key/certificate mismatch.
   */
  static boolean matches(PrivateKey privateKey, PublicKey publicKey) throws MaterialProblem {
    if (privateKey instanceof RSAKey && publicKey instanceof RSAKey) {
      return rsaMatches(privateKey, (RSAKey) publicKey);
    }
    if (privateKey instanceof ECKey && publicKey instanceof ECKey) {
      // The JDK's EC private key does not carry its public point, so prove possession instead.
      return signs(privateKey, publicKey, "SHA256withECDSA");
    }
    if (privateKey instanceof EdECKey && publicKey instanceof EdECKey) {
      String curve = ((EdECKey) privateKey).getParams().getName(); // "Ed25519" or "Ed448"
      return curve.equals(((EdECKey) publicKey).getParams().getName()) && signs(privateKey, publicKey, curve);
    }
    return false; // different key types, e.g. an EC key for an RSA certificate
  }

  private static boolean rsaMatches(PrivateKey privateKey, RSAKey publicKey) {
    if (!((RSAKey) privateKey).getModulus().equals(publicKey.getModulus())) {
      return false;
    }
    if (privateKey instanceof RSAPrivateCrtKey && publicKey instanceof RSAPublicKey) {
      return ((RSAPrivateCrtKey) privateKey).getPublicExponent()
          .equals(((RSAPublicKey) publicKey).getPublicExponent());
    }
    return true;
  }

  private static boolean signs(PrivateKey privateKey, PublicKey publicKey, String algorithm) throws MaterialProblem {
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    byte[] signature;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(challenge);
      signature = signer.sign();
    } catch (GeneralSecurityException e) {
      throw new MaterialProblem("this Java runtime cannot sign with this " + privateKey.getAlgorithm()
          + " key (" + e.getMessage() + ")", e);
    }
    try {
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. a P-384 key against a P-256 certificate
    }
  }
}
