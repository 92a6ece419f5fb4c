package io.pgtls.internal.proxy;

import static io.pgtls.internal.proxy.Peeks.ascii;
import static io.pgtls.internal.proxy.Peeks.peek;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.proxy.ProxyHeader.Kind;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import io.pgtls.internal.proxy.ProxyHeader.Versions;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Bytes that are not a header where one is required: they are refused at once, never waited for or let through. */
class ProxyHeaderDetectionTest {
  @Test
  void anEmptyBufferIsNeedMore() {
    assertThat(peek(new byte[0]).kind()).isEqualTo(Kind.NEED_MORE);
  }

  @Test
  void anSslRequestWhereAHeaderIsRequiredIsInvalidNotNeedMore() {
    byte[] sslRequest = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F};
    assertThat(peek(sslRequest, 1).kind()).as("from its first byte").isEqualTo(Kind.INVALID);
    Parse p = peek(sslRequest);
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    assertThat(p.reason()).isEqualTo("not a PROXY protocol header (first bytes 00 00 00 08 04 d2 16 2f: a PostgreSQL SSLRequest)");
  }

  @Test
  void aTlsClientHelloIsInvalid() {
    Parse p = peek(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xFC, 0x03, 0x03});
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    assertThat(p.reason()).isEqualTo("not a PROXY protocol header (first bytes 16 03 01 02 00 01 00 01 …: a TLS ClientHello)");
  }

  @Test
  void anHttpRequestIsInvalidAndQuoted() {
    Parse p = peek("GET / HTTP/1.1\r\n");
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    assertThat(p.reason()).isEqualTo("not a PROXY protocol header (first bytes 47 45 54 20 2f 20 48 54 …: \"GET / HT\")");
  }

  @Test
  void aStartupMessageIsInvalid() {
    ByteBuffer startup = ByteBuffer.allocate(18).putInt(18).putInt(0x00030000).put(ascii("user\0bob\0\0"));
    Parse p = peek(startup.array());
    assertThat(p.reason()).endsWith(": a PostgreSQL StartupMessage)");
  }

  @Test
  void aPartialProxyPrefixIsNeedMore() {
    for (String prefix : new String[] {"P", "PR", "PRO", "PROX", "PROXY", "PROXY "}) {
      assertThat(peek(prefix).kind()).as(prefix).isEqualTo(Kind.NEED_MORE);
    }
    assertThat(peek("PROXZ").kind()).isEqualTo(Kind.INVALID);
    assertThat(peek("POST / HTTP/1.1").reason()).contains("\"POST / H\"");
  }

  @Test
  void aPartialV2SignatureIsNeedMore() {
    for (int n = 1; n <= 12; n++) {
      assertThat(peek(V2Bytes.SIGNATURE, n).kind()).as("%d bytes", n).isEqualTo(Kind.NEED_MORE);
    }
  }

  @Test
  void aVersionNotAcceptedIsInvalidAndNamed() {
    Parse v1 = peek("PROXY TCP4 203.0.113.7 10.0.0.5 1 2\r\n", Versions.V2);
    assertThat(v1.kind()).isEqualTo(Kind.INVALID);
    assertThat(v1.reason()).isEqualTo("PROXY protocol v1 header, but only v2 is accepted");
    assertThat(peek("PRO", Versions.V2).reason()).as("not waited for").isEqualTo(
        "PROXY protocol v1 header, but only v2 is accepted");

    byte[] v2 = V2Bytes.local().build();
    Parse p = ProxyHeader.peek(ByteBuffer.wrap(v2), Versions.V1, 4096);
    assertThat(p.kind()).isEqualTo(Kind.INVALID);
    assertThat(p.reason()).isEqualTo("PROXY protocol v2 header, but only v1 is accepted");
    assertThat(ProxyHeader.peek(ByteBuffer.wrap(v2, 0, 3), Versions.V1, 4096).kind()).isEqualTo(Kind.INVALID);

    assertThat(peek("PROXY TCP4 203.0.113.7 10.0.0.5 1 2\r\n", Versions.V1).kind()).isEqualTo(Kind.HEADER);
    assertThat(ProxyHeader.peek(ByteBuffer.wrap(v2), Versions.V2, 4096).kind()).isEqualTo(Kind.HEADER);
  }

  @Test
  void aNegativeCapIsAProgrammingError() {
    assertThatThrownBy(() -> ProxyHeader.peek(ByteBuffer.allocate(0), Versions.V2, -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void verdictsReadOnOneLine() {
    assertThat(peek("PROXY UNKNOWN\r\n")).hasToString("HEADER(15 bytes: PROXY v1 UNKNOWN)");
    assertThat(peek("PROX")).hasToString("NEED_MORE");
    assertThat(peek("X")).hasToString("INVALID(not a PROXY protocol header (first bytes 58: \"X\"))");
  }
}
