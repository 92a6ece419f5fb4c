package io.pgtls.internal.pg;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A keyed permutation of the 63-bit integers 0 .. 2^63−1: format-preserving encryption for the
 * protocol 3.0 cancel pair, where the client carries exactly a 31-bit positive pid and a 32-bit
 * key and nothing else.
 *
 * <p>The construction is the unbalanced Feistel network of NIST SP 800-38G (the shape of FF1) in
 * radix 2, so "addition modulo radix^m" is XOR: the value is split into a 31-bit half A and a
 * 32-bit half B, and each round computes {@code (A, B) ← (B, A ⊕ F(round, B))}, with F truncated
 * to A's width, so the halves swap widths every round. After an even number of rounds A is 31 bits
 * again, which keeps the minted pid positive. Any round function makes this a bijection, and
 * decryption runs the rounds backwards. SP 800-38G's FF1 uses 10 rounds; so does this.
 *
 * <p>The round function is HMAC-SHA256 under a key of its own (derived from the shared secret),
 * over (round number, output width, the 32-bit input half), truncated to the output width.
 * Halves of 31/32 bits are far above the tiny domains for which Feistel-based FPE has known
 * practical attacks.
 *
 * <p>Thread-safe: each call clones its own {@link Mac} from a keyed prototype that is never used
 * directly (cloning skips the provider lookup and key schedule a fresh Mac would repeat).
 */
final class CancelKeyFeistel {
  static final int LEFT_BITS = 31;
  static final int RIGHT_BITS = 32;
  static final long DOMAIN_MASK = (1L << (LEFT_BITS + RIGHT_BITS)) - 1;
  static final int ROUNDS = 10;
  private static final String HMAC = "HmacSHA256";

  private final SecretKeySpec roundKey;
  private final Mac prototype;

  CancelKeyFeistel(byte[] roundKey) {
    if (roundKey.length < 32) {
      throw new IllegalArgumentException("the Feistel round key must be at least 32 bytes");
    }
    this.roundKey = new SecretKeySpec(roundKey, HMAC);
    this.prototype = freshMac();
  }

  /** Encrypts a value in 0 .. 2^63−1; the result is in the same range. */
  long encrypt(long plain) {
    checkDomain(plain);
    Mac mac = newMac();
    byte[] input = new byte[6];
    long a = plain >>> RIGHT_BITS;
    long b = plain & 0xFFFF_FFFFL;
    int aBits = LEFT_BITS;
    int bBits = RIGHT_BITS;
    for (int round = 0; round < ROUNDS; round++) {
      long c = a ^ roundFunction(mac, input, round, b, aBits);
      a = b;
      b = c;
      int t = aBits;
      aBits = bBits;
      bBits = t;
    }
    return (a << RIGHT_BITS) | b;
  }

  /** Inverts {@link #encrypt}: any value in 0 .. 2^63−1 decrypts to some value in that range. */
  long decrypt(long cipher) {
    checkDomain(cipher);
    Mac mac = newMac();
    byte[] input = new byte[6];
    long a = cipher >>> RIGHT_BITS;
    long b = cipher & 0xFFFF_FFFFL;
    int aBits = LEFT_BITS;
    int bBits = RIGHT_BITS;
    for (int round = ROUNDS - 1; round >= 0; round--) {
      // (a, b) = (B', A' ⊕ F(round, B')), where A' was bBits wide and B' aBits wide.
      long previousA = b ^ roundFunction(mac, input, round, a, bBits);
      b = a;
      a = previousA;
      int t = aBits;
      aBits = bBits;
      bBits = t;
    }
    return (a << RIGHT_BITS) | b;
  }

  private static long roundFunction(Mac mac, byte[] input, int round, long half, int outBits) {
    input[0] = (byte) round;
    input[1] = (byte) outBits;
    input[2] = (byte) (half >>> 24);
    input[3] = (byte) (half >>> 16);
    input[4] = (byte) (half >>> 8);
    input[5] = (byte) half;
    byte[] h = mac.doFinal(input);
    long v =
        ((h[0] & 0xFFL) << 24) | ((h[1] & 0xFFL) << 16) | ((h[2] & 0xFFL) << 8) | (h[3] & 0xFFL);
    return v & ((1L << outBits) - 1);
  }

  private static void checkDomain(long value) {
    if ((value & ~DOMAIN_MASK) != 0) {
      throw new IllegalArgumentException("value outside 0 .. 2^63-1: " + value);
    }
  }

  private Mac newMac() {
    try {
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      return freshMac();
    }
  }

  private Mac freshMac() {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(roundKey);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always provides " + HMAC, e);
    }
  }
}
