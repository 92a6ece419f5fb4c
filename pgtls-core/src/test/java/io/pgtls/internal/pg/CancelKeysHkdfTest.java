package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 5869 Appendix A test vectors for SHA-256: a hand-written HKDF must match them exactly. */
class CancelKeysHkdfTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] IKM = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");

  @Test
  void rfc5869TestCase1WithSaltAndInfo() {
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
    assertThat(HEX.formatHex(CancelKeyHkdf.extract(salt, IKM)))
        .isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    assertThat(HEX.formatHex(CancelKeyHkdf.derive(salt, IKM, info, 42)))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                + "34007208d5b887185865");
  }

  @Test
  void rfc5869TestCase3EmptySaltMeansHashLenZerosNotARefusedEmptyKey() {
    assertThat(HEX.formatHex(CancelKeyHkdf.extract(new byte[0], IKM)))
        .isEqualTo("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
    assertThat(HEX.formatHex(CancelKeyHkdf.derive(new byte[0], IKM, new byte[0], 42)))
        .isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                + "9d201395faa4b61a96c8");
  }

  @Test
  void distinctInfoLabelsGiveUnrelatedSubkeys() {
    byte[] a = CancelKeyHkdf.derive(new byte[0], IKM, "a".getBytes(), 32);
    byte[] b = CancelKeyHkdf.derive(new byte[0], IKM, "b".getBytes(), 32);
    assertThat(a).isNotEqualTo(b);
  }
}
