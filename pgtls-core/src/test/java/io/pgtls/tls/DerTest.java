package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DerTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 127, 128, 255, 256, 65535, 65536, 70000})
  void lengthsAtEveryEncodingBoundaryMatchBouncyCastle(int length) throws Exception {
    byte[] value = new byte[length];
    java.util.Arrays.fill(value, (byte) 7);

    byte[] ours = DerWriter.octetString(value);

    assertThat(ours).isEqualTo(new DEROctetString(value).getEncoded());
    assertThat(new DerReader(ours).next(DerReader.OCTET_STRING, "octet string").value()).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.840.113549.1.1.1", "1.2.840.10045.2.1", "1.3.101.112", "2.999.1", "1.3.132.0.10"})
  void objectIdentifiersRoundTripLikeBouncyCastle(String oid) throws Exception {
    byte[] ours = DerWriter.objectIdentifier(oid);

    assertThat(ours).isEqualTo(new ASN1ObjectIdentifier(oid).getEncoded());
    assertThat(DerReader.objectIdentifier(new DerReader(ours).next())).isEqualTo(oid);
  }

  @ParameterizedTest
  @ValueSource(strings = {"30", "3005020100", "04820001", "3080"})
  void truncatedOrIndefiniteInputIsRefusedNotOverread(String hex) {
    byte[] bytes = java.util.HexFormat.of().parseHex(hex);

    assertThatThrownBy(() -> new DerReader(bytes).next()).isInstanceOf(DerReader.MalformedDerException.class);
  }
}
