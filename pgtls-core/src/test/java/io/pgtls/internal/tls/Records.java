package io.pgtls.internal.tls;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Frames and re-frames handshake bytes into TLS records (RFC 8446 §5.1) for the peek tests. */
final class Records {
  private Records() {}

  /** One record of {@code type} and version 3.1 around {@code fragment}; the length is whatever it is. */
  static byte[] record(int type, byte[] fragment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    header(out, type, fragment.length);
    out.writeBytes(fragment);
    return out.toByteArray();
  }

  /**
   * The handshake {@code message} in records whose fragments have the given lengths, the last
   * one taking the rest; a length of 0 writes a zero-length record.
   */
  static byte[] frame(byte[] message, int... fragmentLengths) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int p = 0;
    for (int length : fragmentLengths) {
      out.writeBytes(record(ClientHelloPeek.HANDSHAKE_RECORD, Arrays.copyOfRange(message, p, p + length)));
      p += length;
    }
    out.writeBytes(record(ClientHelloPeek.HANDSHAKE_RECORD, Arrays.copyOfRange(message, p, message.length)));
    return out.toByteArray();
  }

  /** The handshake message carried by the single record {@code record}. */
  static byte[] unframe(byte[] record) {
    int length = ByteBuffer.wrap(record, 3, 2).getShort() & 0xFFFF;
    if (record.length != ClientHelloPeek.RECORD_HEADER + length) {
      throw new IllegalArgumentException("not exactly one record: " + record.length + " bytes, record of " + length);
    }
    return Arrays.copyOfRange(record, ClientHelloPeek.RECORD_HEADER, record.length);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static void header(ByteArrayOutputStream out, int type, int length) {
    out.write(type);
    out.write(3);
    out.write(1);
    out.write(length >>> 8);
    out.write(length);
  }
}
