package io.pgtls.internal.pg;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The protocol 3.2 long cancel key: version ‖ nonce ‖ AES-256-GCM(route id ‖ backend pid ‖
 * backend key) ‖ tag, with the client-visible pid as additional authenticated data (NIST SP
 * 800-38D). Authenticated, so a guessed, truncated or tampered key, or one sealed under another
 * secret, fails to open.
 *
 * <p>Nonces are 96 random bits per key. SP 800-38D §8.3 caps random-nonce use of one key at 2^32
 * invocations; that is 2^32 sessions under one secret, far beyond what a proxy mints before its
 * secret is rotated.
 *
 * <p>Thread-safe: each call makes its own {@link Cipher}; {@link SecureRandom} is thread-safe.
 */
final class CancelKeySeal {
  static final byte VERSION = 1;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  /** Route id (2 bytes) and backend pid (4 bytes) ahead of the backend key in the plaintext. */
  static final int PREFIX_BYTES = 6;
  static final int OVERHEAD = 1 + NONCE_BYTES + PREFIX_BYTES + TAG_BYTES;
  /** Protocol 3.2 keys are at most 256 bytes, so 256 − 35 = 221 bytes of backend key fit. */
  static final int MAX_BACKEND_KEY_BYTES = 256 - OVERHEAD;
  static final int MAX_ROUTE_ID = 0xFFFF;

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final SecureRandom NONCES = new SecureRandom();

  private final SecretKeySpec aesKey;

  CancelKeySeal(byte[] aesKey) {
    if (aesKey.length != 32) {
      throw new IllegalArgumentException("AES-256 needs a 32-byte key");
    }
    this.aesKey = new SecretKeySpec(aesKey, "AES");
  }

  /** The sealed key; the caller has checked routeId ≤ 65535 and backendKey ≤ 221 bytes. */
  byte[] seal(int routeId, int backendPid, byte[] backendKey) {
    byte[] plain = new byte[PREFIX_BYTES + backendKey.length];
    plain[0] = (byte) (routeId >>> 8);
    plain[1] = (byte) routeId;
    putInt(plain, 2, backendPid);
    System.arraycopy(backendKey, 0, plain, PREFIX_BYTES, backendKey.length);
    byte[] sealed = new byte[1 + NONCE_BYTES + plain.length + TAG_BYTES];
    sealed[0] = VERSION;
    byte[] nonce = new byte[NONCE_BYTES];
    NONCES.nextBytes(nonce);
    System.arraycopy(nonce, 0, sealed, 1, NONCE_BYTES);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BYTES * 8, nonce));
      cipher.updateAAD(aad(backendPid));
      cipher.doFinal(plain, 0, plain.length, sealed, 1 + NONCE_BYTES);
      return sealed;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always provides " + TRANSFORMATION, e);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** Opens a key minted by {@link #seal} for this pid; empty for anything else. */
  Optional<CancelKeys.Decoded> open(int pid, byte[] key) {
    if (key.length < OVERHEAD || key.length > 256 || key[0] != VERSION) {
      return Optional.empty();
    }
    byte[] plain;
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BYTES * 8, key, 1, NONCE_BYTES));
      cipher.updateAAD(aad(pid));
      plain = cipher.doFinal(key, 1 + NONCE_BYTES, key.length - 1 - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always provides " + TRANSFORMATION, e);
    }
    int routeId = ((plain[0] & 0xFF) << 8) | (plain[1] & 0xFF);
    int backendPid = getInt(plain, 2);
    byte[] backendKey = Arrays.copyOfRange(plain, PREFIX_BYTES, plain.length);
    Arrays.fill(plain, (byte) 0);
    // Always equal for a key this class sealed, since the pid is authenticated; checked anyway.
    if (backendPid != pid) {
      return Optional.empty();
    }
    return Optional.of(new CancelKeys.Decoded(routeId, backendPid, backendKey));
  }

  private static byte[] aad(int pid) {
    byte[] aad = new byte[4];
    putInt(aad, 0, pid);
    return aad;
  }

  private static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static int getInt(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8)
        | (b[at + 3] & 0xFF);
  }
}
