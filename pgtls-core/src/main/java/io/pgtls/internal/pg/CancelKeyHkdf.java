package io.pgtls.internal.pg;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869), used to derive independent subkeys from the cancel-key secret so that
 * the Feistel round keys and the AES-GCM key never share material. A few lines instead of a
 * dependency: pgtls-core runs on the JDK alone.
 */
final class CancelKeyHkdf {
  private static final String HMAC = "HmacSHA256";
  private static final int HASH_LEN = 32;

  private CancelKeyHkdf() {}

  /**
   * HKDF-Extract then HKDF-Expand (RFC 5869 §2.2, §2.3).
   *
   * @param salt may be empty: RFC 5869 then uses HashLen zero bytes, which is the same HMAC key
   *     (HMAC pads short keys with zeros) and avoids SecretKeySpec's refusal of an empty key
   * @param length at most 255 × 32 bytes
   */
  static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    if (length < 0 || length > 255 * HASH_LEN) {
      throw new IllegalArgumentException("HKDF-SHA256 output length must be 0.." + 255 * HASH_LEN);
    }
    return expand(extract(salt, ikm), info, length);
  }

  static byte[] extract(byte[] salt, byte[] ikm) {
    return hmac(salt.length == 0 ? new byte[HASH_LEN] : salt).doFinal(ikm);
  }

  static byte[] expand(byte[] prk, byte[] info, int length) {
    Mac mac = hmac(prk);
    byte[] okm = new byte[length];
    byte[] t = new byte[0];
    for (int done = 0, i = 1; done < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, okm, done, n);
      done += n;
    }
    return okm;
  }

  private static Mac hmac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always provides " + HMAC, e);
    }
  }
}
