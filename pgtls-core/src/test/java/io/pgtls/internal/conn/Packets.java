package io.pgtls.internal.conn;

import io.pgtls.internal.pg.StartupCodes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** First packets as clients send them, for the startup tests. */
final class Packets {
  static final int PROTOCOL_3_2 = (3 << 16) | 2;

  private Packets() {}

  static byte[] sslRequest() {
    return StartupCodes.sslRequest();
  }

  static byte[] gssencRequest() {
    return special(8, StartupCodes.GSSENC_REQUEST);
  }

  /** A first packet of the given length field and code, zero-padded to that length when it is sane. */
  static byte[] special(int length, int code) {
    int size = length >= 8 && length <= StartupCodes.MAX_STARTUP_PACKET_LENGTH ? length : 8;
    return ByteBuffer.allocate(size).putInt(length).putInt(code).array();
  }

  /** A CancelRequest with a key of {@code keyLength} bytes: 4 for protocol 3.0, 32 for PostgreSQL 18's 3.2. */
  static byte[] cancel(int keyLength) {
    ByteBuffer b = ByteBuffer.allocate(12 + keyLength).putInt(12 + keyLength).putInt(StartupCodes.CANCEL_REQUEST)
        .putInt(4242);
    for (int i = 0; i < keyLength; i++) {
      b.put((byte) (i * 7 + 1));
    }
    return b.array();
  }

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

  /** A StartupMessage padded with an application_name to exactly {@code length} bytes. */
  static byte[] startupOfLength(int length) {
    byte[] shortest = startup(StartupCodes.PROTOCOL_3_0, "user", "alice", "application_name", "");
    return startup(StartupCodes.PROTOCOL_3_0, "user", "alice", "application_name", "a".repeat(length - shortest.length));
  }

  /** The start of a TLS 1.2-framed ClientHello record, as direct-SSL clients send it first. */
  static byte[] clientHello() {
    return new byte[] {0x16, 0x03, 0x01, 0x00, 0x2A, 0x01, 0x00, 0x00, 0x26, 0x03, 0x03};
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
