package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CancelKeysFeistelTest {
  private static final long MAX = CancelKeyFeistel.DOMAIN_MASK;

  private static CancelKeyFeistel feistel(int seed) {
    byte[] key = new byte[32];
    new SplittableRandom(seed).nextBytes(key);
    return new CancelKeyFeistel(key);
  }

  @Test
  void decryptInvertsEncryptIncludingTheEdgesOfTheDomain() {
    CancelKeyFeistel f = feistel(1);
    SplittableRandom r = new SplittableRandom(2);
    for (long x : new long[] {0, 1, MAX, MAX - 1, 1L << 31, 0xFFFF_FFFFL, 1L << 32}) {
      assertThat(f.decrypt(f.encrypt(x))).isEqualTo(x);
    }
    for (int i = 0; i < 2_000; i++) {
      long x = r.nextLong() & MAX;
      long y = f.encrypt(x);
      assertThat(y).isBetween(0L, MAX);
      assertThat(f.decrypt(y)).isEqualTo(x);
      assertThat(f.encrypt(f.decrypt(x))).isEqualTo(x);
    }
  }

  @Test
  void neighbouringInputsDoNotGiveNeighbouringOutputs() {
    CancelKeyFeistel f = feistel(3);
    long a = f.encrypt(42);
    long b = f.encrypt(43);
    assertThat(Long.bitCount(a ^ b)).isGreaterThan(8);
  }

  @Test
  void aDifferentKeyIsADifferentPermutation() {
    assertThat(feistel(4).encrypt(12345)).isNotEqualTo(feistel(5).encrypt(12345));
  }

  @Test
  void valuesWithTheTopBitOfTheLongSetAreOutsideTheDomain() {
    assertThatThrownBy(() -> feistel(6).encrypt(1L << 63))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> feistel(6).decrypt(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
