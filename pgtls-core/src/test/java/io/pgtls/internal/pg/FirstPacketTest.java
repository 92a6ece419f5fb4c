package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FirstPacketTest {
  static byte[] startup(int version, String... pairs) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (String s : pairs) {
      body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      body.write(0);
    }
    body.write(0);
    ByteBuffer b = ByteBuffer.allocate(8 + body.size());
    b.putInt(8 + body.size()).putInt(version).put(body.toByteArray());
    return b.array();
  }

  static FirstPacket peek(byte[] bytes) {
    return FirstPacket.peek(ByteBuffer.wrap(bytes));
  }

  @Test
  void sslRequestIsRecognisedFromItsEightBytesEvenWithMoreBehindIt() {
    byte[] b = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F, 0x16, 3, 1};
    assertThat(peek(b).kind()).isEqualTo(FirstPacket.Kind.SSL_REQUEST);
  }

  @Test
  void sslRequestSplitIntoSingleBytesIsIncompleteUntilTheLastByte() {
    byte[] b = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F};
    for (int i = 0; i < 8; i++) {
      assertThat(FirstPacket.peek(ByteBuffer.wrap(b, 0, i)).kind()).isEqualTo(FirstPacket.Kind.INCOMPLETE);
    }
    assertThat(peek(b).kind()).isEqualTo(FirstPacket.Kind.SSL_REQUEST);
  }

  @Test
  void gssencAndCancelRequests() {
    assertThat(peek(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x30}).kind()).isEqualTo(FirstPacket.Kind.GSSENC_REQUEST);
    ByteBuffer cancel = ByteBuffer.allocate(16).putInt(16).putInt(StartupCodes.CANCEL_REQUEST).putInt(1234).putInt(5678);
    assertThat(peek(cancel.array()).kind()).isEqualTo(FirstPacket.Kind.CANCEL_REQUEST);
    ByteBuffer longKey = ByteBuffer.allocate(44).putInt(44).putInt(StartupCodes.CANCEL_REQUEST).putInt(1);
    assertThat(peek(longKey.array()).kind()).as("protocol 3.2 32-byte key").isEqualTo(FirstPacket.Kind.CANCEL_REQUEST);
    ByteBuffer noKey = ByteBuffer.allocate(12).putInt(12).putInt(StartupCodes.CANCEL_REQUEST).putInt(1);
    assertThat(peek(noKey.array()).kind()).isEqualTo(FirstPacket.Kind.INVALID_LENGTH);
  }

  @Test
  void directTlsClientHelloIsRecognisedByItsFirstByte() {
    assertThat(peek(new byte[] {0x16}).kind()).isEqualTo(FirstPacket.Kind.DIRECT_TLS);
  }

  @Test
  void startupMessageNeedsTheWholePacketAndYieldsItsParameters() {
    byte[] s = startup(StartupCodes.PROTOCOL_3_0, "user", "alice", "database", "app");
    assertThat(FirstPacket.peek(ByteBuffer.wrap(s, 0, s.length - 1)).kind()).isEqualTo(FirstPacket.Kind.INCOMPLETE);
    FirstPacket fp = peek(s);
    assertThat(fp.kind()).isEqualTo(FirstPacket.Kind.STARTUP_MESSAGE);
    assertThat(fp.length()).isEqualTo(s.length);
    assertThat(FirstPacket.startupParameters(ByteBuffer.wrap(s), fp.length()))
        .containsEntry("user", "alice").containsEntry("database", "app");
  }

  @Test
  void protocol32AndGreaseVersionsAreStartupMessages() {
    assertThat(peek(startup(196610, "user", "a")).kind()).isEqualTo(FirstPacket.Kind.STARTUP_MESSAGE);
    assertThat(peek(startup((3 << 16) | 9999, "user", "a")).kind()).isEqualTo(FirstPacket.Kind.STARTUP_MESSAGE);
    assertThat(peek(startup(4 << 16, "user", "a")).kind()).isEqualTo(FirstPacket.Kind.UNSUPPORTED_PROTOCOL);
    assertThat(peek(startup(2 << 16, "user", "a")).kind()).isEqualTo(FirstPacket.Kind.UNSUPPORTED_PROTOCOL);
  }

  @Test
  void lengthBoundsAreThoseOfPostgresql() {
    assertThat(peek(ByteBuffer.allocate(8).putInt(10004).putInt(StartupCodes.PROTOCOL_3_0).array()).kind())
        .isEqualTo(FirstPacket.Kind.INCOMPLETE);
    assertThat(peek(ByteBuffer.allocate(8).putInt(10005).putInt(StartupCodes.PROTOCOL_3_0).array()).kind())
        .isEqualTo(FirstPacket.Kind.INVALID_LENGTH);
    assertThat(peek(ByteBuffer.allocate(8).putInt(7).putInt(StartupCodes.PROTOCOL_3_0).array()).kind())
        .isEqualTo(FirstPacket.Kind.INVALID_LENGTH);
    assertThat(peek("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)).kind())
        .as("an HTTP request reads as a huge length").isEqualTo(FirstPacket.Kind.INVALID_LENGTH);
  }

  @Test
  void errorResponseIsAV3MessageWithSeverityCodeMessageAndHint() {
    byte[] e = ErrorResponse.fatal("28000", "needs TLS", null, "use sslmode=require");
    ByteBuffer b = ByteBuffer.wrap(e);
    assertThat(b.get()).isEqualTo((byte) 'E');
    assertThat(b.getInt()).isEqualTo(e.length - 1);
    String fields = new String(e, 5, e.length - 5, StandardCharsets.UTF_8);
    assertThat(fields).isEqualTo("SFATAL\0VFATAL\0C28000\0Mneeds TLS\0Huse sslmode=require\0\0");
  }
}
