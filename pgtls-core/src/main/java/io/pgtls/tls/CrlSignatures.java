package io.pgtls.tls;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a CRL is signed by a CA key, each (CRL, key) pair verified once and the answer kept, so
 * that the CRL of an intermediate CA met in client chains costs one signature check, not one per
 * handshake. Thread-safe.
 */
final class CrlSignatures {

  /** Far above the CA keys of any real deployment; reached, the cache starts over. */
  static final int MAX_ENTRIES = 4096;

  private record Pair(RevocationList list, ByteBuffer key) {
  }

  private final ConcurrentHashMap<Pair, Boolean> answers = new ConcurrentHashMap<>();

  boolean signedBy(RevocationList list, PublicKey key) {
    // RevocationList has identity equality; the key is compared by its encoding.
    Pair pair = new Pair(list, ByteBuffer.wrap(key.getEncoded()));
    Boolean known = answers.get(pair);
    if (known != null) {
      return known;
    }
    boolean signed = verifies(list, key);
    if (answers.size() >= MAX_ENTRIES) {
      answers.clear();
    }
    answers.put(pair, signed);
    return signed;
  }

  @Override
  public String toString() {
    return "CrlSignatures[" + answers.size() + " (CRL, key) answers]";
  }

  /** A key of another type or size fails with InvalidKeyException, which means "not signed by it" too. */
  private static boolean verifies(RevocationList list, PublicKey key) {
    try {
      list.crl().verify(key);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
