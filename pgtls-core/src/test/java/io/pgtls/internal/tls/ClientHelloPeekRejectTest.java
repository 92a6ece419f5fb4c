package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.tls.ClientHelloPeek.Reason;
import io.pgtls.internal.tls.ClientHelloPeek.Result;
import io.pgtls.internal.tls.ClientHelloPeek.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What is not a ClientHello pgtls will route. */
class ClientHelloPeekRejectTest {
  static Result peek(byte[] bytes) {
    return ClientHelloPeek.peek(ByteBuffer.wrap(bytes));
  }

  @Test
  void anEmptyBufferNeedsMore() {
    assertThat(peek(new byte[0]).verdict()).isEqualTo(Verdict.NEED_MORE);
  }

  @Test
  void aPlaintextStartupMessageIsNotHandshake() {
    byte[] startup = ByteBuffer.allocate(24).putInt(24).putInt(196608).put("user\0alice\0\0\0\0\0\0".getBytes(StandardCharsets.US_ASCII)).array();
    Result r = peek(startup);
    assertThat(r.reason()).isEqualTo(Reason.NOT_HANDSHAKE);
    assertThat(r.message()).contains("content type 0");
  }

  @Test
  void anHttpRequestIsNotHandshake() {
    assertThat(peek("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)).reason()).isEqualTo(Reason.NOT_HANDSHAKE);
  }

  @Test
  void anAlertRecordFirstIsNotHandshake() {
    assertThat(peek(Records.record(21, new byte[] {2, 40})).reason()).isEqualTo(Reason.NOT_HANDSHAKE);
    assertThat(peek(new byte[] {21}).reason()).as("decided on the first byte").isEqualTo(Reason.NOT_HANDSHAKE);
  }

  @Test
  void anSslV2StyleHelloIsMalformedNotMerelyForeign() {
    // RFC 5246 Appendix E.2: msg_length with the high bit set, msg_type 1, version 3.1, ...
    byte[] v2 = {(byte) 0x80, 0x2E, 0x01, 0x03, 0x01, 0x00, 0x15};
    assertThat(peek(Arrays.copyOf(v2, 2)).verdict()).isEqualTo(Verdict.NEED_MORE);
    assertThat(peek(v2).reason()).isEqualTo(Reason.MALFORMED);
    assertThat(peek(new byte[] {(byte) 0x80, 0x2E, 0x02}).reason()).isEqualTo(Reason.NOT_HANDSHAKE);
  }

  @Test
  void aServerHelloIsNotAClientHello() throws Exception {
    byte[] hello = JdkHellos.hello("a.db.test");
    hello[5] = 2;
    assertThat(peek(hello).reason()).isEqualTo(Reason.NOT_CLIENT_HELLO);
    assertThat(peek(Arrays.copyOf(hello, 6)).reason()).as("decided on the type byte").isEqualTo(Reason.NOT_CLIENT_HELLO);
  }

  @Test
  void aTruncatedServerNameVectorInsideACompleteMessageIsMalformed() {
    // list length 20, but only "a.test" (6 bytes) follows inside the extension's 11 bytes
    byte[] list = {0, 20, 0, 0, 6, 'a', '.', 't', 'e', 's', 't'};
    Result r = peek(new ClientHelloBuilder().extension(0, list).alpn("postgresql").record());
    assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
    byte[] nameTooLong = {0, 9, 0, 0, 12, 'a', '.', 't', 'e', 's', 't'};
    assertThat(peek(new ClientHelloBuilder().extension(0, nameTooLong).record()).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void anExtensionRunningPastTheBlockIsMalformed() throws Exception {
    byte[] message = new ClientHelloBuilder().serverName("a.test").message();
    // the last extension is server_name with 11 bytes of data; its length field's low byte + 1
    message[message.length - 11 - 1]++;
    assertThat(peek(Records.frame(message)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void anExtensionsBlockShorterOrLongerThanTheMessageIsMalformed() {
    byte[] message = new ClientHelloBuilder().serverName("a.test").message();
    int blockLength = 4 + 2 + 32 + 1 + 32 + 2 + 2 + 1 + 1;
    message[blockLength + 1]--;
    assertThat(peek(Records.frame(message)).reason()).isEqualTo(Reason.MALFORMED);
    message[blockLength + 1] += 2;
    assertThat(peek(Records.frame(message)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void vectorsBeforeTheExtensionsAreCheckedAgainstTheirBounds() {
    byte[] message = new ClientHelloBuilder().serverName("a.test").message();
    int sessionId = 4 + 2 + 32;
    byte[] longSession = message.clone();
    longSession[sessionId] = 33;
    assertThat(peek(Records.frame(longSession)).reason()).as("legacy_session_id<0..32>").isEqualTo(Reason.MALFORMED);
    byte[] oddSuites = message.clone();
    oddSuites[sessionId + 1 + 32 + 1] = 3;
    assertThat(peek(Records.frame(oddSuites)).reason()).as("cipher suites are 2 bytes").isEqualTo(Reason.MALFORMED);
    byte[] noCompression = message.clone();
    noCompression[sessionId + 1 + 32 + 2 + 2] = 0;
    assertThat(peek(Records.frame(noCompression)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void aMessageTooShortForItsFixedFieldsIsMalformed() {
    byte[] tiny = Records.frame(new byte[] {1, 0, 0, 2, 3, 3});
    assertThat(peek(tiny).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void fieldsOfTheWrongVerdictAreABugInTheCaller() {
    Result needMore = peek(new byte[] {22});
    assertThat(needMore.toString()).isEqualTo("NEED_MORE");
    assertThatThrownBy(needMore::serverName).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(peek(new byte[] {0})::span).isInstanceOf(IllegalStateException.class);
  }
}
