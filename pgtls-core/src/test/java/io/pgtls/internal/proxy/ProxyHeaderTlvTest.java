package io.pgtls.internal.proxy;

import static io.pgtls.internal.proxy.Peeks.peek;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.proxy.ProxyHeader.Info;
import io.pgtls.internal.proxy.ProxyHeader.Kind;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import io.pgtls.internal.proxy.ProxyHeader.SslClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ProxyHeaderTlvTest {
  private static V2Bytes header() {
    return V2Bytes.tcp4("203.0.113.7", 51234, "10.0.0.5", 6432);
  }

  private static Info info(V2Bytes b) {
    Parse p = peek(b.build());
    assertThat(p.kind()).as("%s", p).isEqualTo(Kind.HEADER);
    return p.info();
  }

  private static String reason(V2Bytes b) {
    Parse p = peek(b.build());
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    return p.reason();
  }

  private static byte[] subtyped(int subtype, byte[] value) {
    return V2Bytes.concat(new byte[] {(byte) subtype}, value);
  }

  @Test
  void v2AlpnAndAuthority() {
    Info i = info(header().tlv(0x01, "postgresql").tlv(0x02, "db.example.com"));
    assertThat(i.alpn()).isEqualTo("postgresql");
    assertThat(i.authority()).isEqualTo("db.example.com");
    assertThat(i.describe()).endsWith(" alpn=postgresql authority=db.example.com");
  }

  @Test
  void v2AwsVpceAndAzureLinkId() {
    Info i = info(header()
        .tlv(0xEA, subtyped(0x01, "vpce-0123".getBytes(StandardCharsets.US_ASCII)))
        .tlv(0xEE, subtyped(0x01, new byte[] {0x01, 0x02, 0x03, 0x04})));
    assertThat(i.awsVpcEndpointId()).isEqualTo("vpce-0123");
    assertThat(i.azureLinkId()).as("little-endian, unlike the rest of the header").isEqualTo(0x04030201L);
    assertThat(i.otherTlvTypes()).isEmpty();
    assertThat(i.describe()).isEqualTo("PROXY v2 TCP4 203.0.113.7:51234 -> 10.0.0.5:6432 vpce=vpce-0123 "
        + "azure_link_id=67305985");
  }

  @Test
  void azureLinkIdIsUnsignedThirtyTwoBits() {
    Info i = info(header().tlv(0xEE, subtyped(0x01, new byte[] {-1, -1, -1, -1})));
    assertThat(i.azureLinkId()).isEqualTo(4294967295L);
  }

  @Test
  void vendorTlvsWithOtherSubtypesAreListedNotDecoded() {
    Info i = info(header().tlv(0xEA, subtyped(0x02, new byte[] {9})).tlv(0xEE, subtyped(0x07, new byte[0])));
    assertThat(i.awsVpcEndpointId()).isNull();
    assertThat(i.azureLinkId()).isNull();
    assertThat(i.otherTlvTypes()).containsExactly(0xEA, 0xEE);
  }

  @Test
  void vendorTlvsOfTheWrongShapeAreInvalid() {
    assertThat(reason(header().tlv(0xEA, new byte[0]))).isEqualTo("v2 AWS TLV without its subtype byte");
    assertThat(reason(header().tlv(0xEE, subtyped(0x01, new byte[] {1, 2, 3}))))
        .isEqualTo("v2 Azure LINKID TLV of length 4 (must be 5)");
    assertThat(reason(header().tlv(0xEA, subtyped(0x01, "vpce 1\n".getBytes(StandardCharsets.US_ASCII)))))
        .startsWith("v2 AWS VPC endpoint id is not printable ASCII");
    assertThat(reason(header().tlv(0xEA, subtyped(0x01, new byte[0])))).isEqualTo("v2 AWS VPC endpoint id is empty");
  }

  @Test
  void v2Crc32cValidAndInvalid() {
    byte[] good = header().tlv(0x05, "abc").crc32c().build();
    assertThat(peek(good).kind()).isEqualTo(Kind.HEADER);

    byte[] addressChanged = good.clone();
    addressChanged[16] ^= 1; // 203.0.113.7 -> 202.0.113.7
    Parse p = peek(addressChanged);
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    assertThat(p.reason()).startsWith("v2 CRC32C mismatch");

    byte[] checksumChanged = good.clone();
    checksumChanged[good.length - 1] ^= 1;
    assertThat(peek(checksumChanged).reason()).startsWith("v2 CRC32C mismatch");
  }

  @Test
  void v2Crc32cSitsAnywhereAmongTheTlvs() {
    assertThat(peek(header().crc32c().tlv(0x05, "abc").tlv(0x04, new byte[3]).build()).kind()).isEqualTo(Kind.HEADER);
  }

  @Test
  void theChecksumIsCastagnoliNotTheZipCrc() {
    // RFC 3720 §B.4: CRC32C of 32 zero bytes is 8a9136aa; the zip CRC-32 of them is 190a55ad.
    assertThat(V2Bytes.crc32c(new byte[32])).isEqualTo(0x8A9136AAL);
    CRC32C jdk = new CRC32C();
    jdk.update(new byte[32]);
    assertThat(jdk.getValue()).isEqualTo(0x8A9136AAL);
  }

  @Test
  void v2Crc32cOfTheWrongLengthIsInvalid() {
    assertThat(reason(header().tlv(0x03, new byte[3]))).isEqualTo("v2 CRC32C TLV of length 3 (must be 4)");
    assertThat(reason(header().tlv(0x03, new byte[8]))).isEqualTo("v2 CRC32C TLV of length 8 (must be 4)");
  }

  @Test
  void v2TlvRunningPastTheEndIsInvalid() {
    assertThat(reason(header().raw(0x05, 0x00, 0x09, 'a', 'b'))).isEqualTo(
        "v2 TLV 0x05 at byte 28 runs past the end of the header");
    assertThat(reason(header().raw(0x04, 0x00))).as("a TLV head cut short")
        .isEqualTo("v2 TLV 0x04 at byte 28 runs past the end of the header");
    assertThat(reason(header().raw(0x30))).isEqualTo("v2 TLV 0x30 at byte 28 runs past the end of the header");
  }

  @Test
  void aTlvMayNotRunIntoTheBytesAfterTheHeader() {
    byte[] h = header().raw(0x05, 0x00, 0x04, 'a', 'b').build();
    Parse p = peek(V2Bytes.concat(h, new byte[] {'c', 'd', 0, 0}));
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
  }

  @Test
  void v2UniqueIdLongerThan128IsInvalid() {
    assertThat(info(header().tlv(0x05, new byte[128])).uniqueId()).hasSize(128);
    assertThat(reason(header().tlv(0x05, new byte[129]))).isEqualTo("v2 UNIQUE_ID of 129 bytes (at most 128)");
  }

  @Test
  void uniqueIdIsShownAsTextWhenPrintableElseAsHex() {
    assertThat(info(header().tlv(0x05, "4f1c-9a")).uniqueIdText()).isEqualTo("4f1c-9a");
    Info binary = info(header().tlv(0x05, new byte[] {0x00, 0x7F, (byte) 0xAB, ' '}));
    assertThat(binary.uniqueIdText()).isEqualTo("007fab20");
    assertThat(binary.describe()).endsWith(" unique_id=007fab20");
  }

  @Test
  void theUniqueIdCannotBeChangedThroughInfo() {
    Info i = info(header().tlv(0x05, "abc"));
    i.uniqueId()[0] = 'x';
    assertThat(i.uniqueIdText()).isEqualTo("abc");
  }

  @Test
  void v2SslTlvWithItsSubTlvs() {
    ByteBuffer ssl = ByteBuffer.allocate(5 + 3 + 7 + 3 + 5 + 3 + 6);
    ssl.put((byte) 0x07).putInt(0);
    ssl.put((byte) 0x21).putShort((short) 7).put("TLSv1.3".getBytes(StandardCharsets.US_ASCII));
    ssl.put((byte) 0x22).putShort((short) 5).put("alice".getBytes(StandardCharsets.US_ASCII));
    ssl.put((byte) 0x23).putShort((short) 6).put("AES128".getBytes(StandardCharsets.US_ASCII));
    Info i = info(header().tlv(0x20, ssl.array()));
    assertThat(i.ssl().client()).containsExactlyInAnyOrder(SslClient.SSL, SslClient.CERT_CONN, SslClient.CERT_SESS);
    assertThat(i.ssl().verified()).isTrue();
    assertThat(i.ssl().version()).isEqualTo("TLSv1.3");
    assertThat(i.ssl().commonName()).isEqualTo("alice");
    assertThat(i.describe()).endsWith(" ssl_client=SSL,CERT_CONN,CERT_SESS ssl_verify=0 ssl_version=TLSv1.3 ssl_cn=alice");
  }

  @Test
  void sslVerifyIsKeptAsSentAndUnknownClientBitsAreIgnored() {
    Info i = info(header().tlv(0x20, new byte[] {(byte) 0xF1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE}));
    assertThat(i.ssl().client()).containsExactly(SslClient.SSL);
    assertThat(i.ssl().verify()).isEqualTo(-2);
    assertThat(i.ssl().verified()).isFalse();
    assertThat(i.ssl().version()).isNull();
    assertThat(i.describe()).endsWith(" ssl_client=SSL ssl_verify=4294967294");
  }

  @Test
  void sslTlvsOfTheWrongShapeAreInvalid() {
    assertThat(reason(header().tlv(0x20, new byte[4]))).isEqualTo("v2 SSL TLV of length 4 (at least 5)");
    assertThat(reason(header().tlv(0x20, new byte[] {1, 0, 0, 0, 0, 0x22, 0, 9, 'a'})))
        .isEqualTo("v2 SSL sub-TLV 0x22 runs past the end of the SSL TLV");
    assertThat(reason(header().tlv(0x20, new byte[] {1, 0, 0, 0, 0, 0x22, 0})))
        .isEqualTo("v2 SSL sub-TLV 0x22 runs past the end of the SSL TLV");
  }

  @Test
  void unregisteredTlvsAreSkippedAndListedInOrderButNoopIsNot() {
    Info i = info(header().tlv(0x30, "netns1").tlv(0x04, new byte[5]).tlv(0xF0, new byte[0]).tlv(0xE1, "x"));
    assertThat(i.otherTlvTypes()).containsExactly(0x30, 0xF0, 0xE1);
    assertThat(i.describe()).endsWith(" other_tlvs=0x30,0xf0,0xe1");
  }

  @Test
  void aRegisteredTlvTwiceIsInvalidRatherThanOnePicked() {
    assertThat(reason(header().tlv(0x02, "a.example").tlv(0x02, "b.example")))
        .isEqualTo("v2 header with two AUTHORITY TLVs");
    assertThat(reason(header().crc32c().crc32c())).isEqualTo("v2 header with two CRC32C TLVs");
    assertThat(reason(header().tlv(0xEA, subtyped(1, new byte[] {'v'})).tlv(0xEA, subtyped(1, new byte[] {'w'}))))
        .isEqualTo("v2 header with two AWS VPC endpoint id TLVs");
  }

  @Test
  void textTlvsMustBeUtf8() {
    assertThat(reason(header().tlv(0x02, new byte[] {'d', 'b', (byte) 0xC3}))).isEqualTo(
        "v2 AUTHORITY is not valid UTF-8: 6462c3");
    assertThat(info(header().tlv(0x02, "bücher.example")).authority()).isEqualTo("bücher.example");
  }

  @Test
  void describeKeepsHeaderTextToOneEscapedToken() {
    Info i = info(header().tlv(0x02, "evil\r\nclient_addr=1.2.3.4 x"));
    assertThat(i.describe()).endsWith(" authority=evil\\u000d\\u000aclient_addr=1.2.3.4\\u0020x").doesNotContain("\n");
    assertThat(info(header().tlv(0x02, "bücher")).describe()).endsWith(" authority=b\\u00fccher");
  }

  @Test
  void infoEqualityComparesTheUniqueIdByContent() {
    assertThat(info(header().tlv(0x05, "abc"))).isEqualTo(info(header().tlv(0x05, "abc")))
        .isNotEqualTo(info(header().tlv(0x05, "abd")));
    assertThat(info(header().tlv(0x05, "abc")).hashCode()).isEqualTo(info(header().tlv(0x05, "abc")).hashCode());
  }
}
