package io.pgtls.internal.pg;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rewrites a StartupMessage so that one run-time setting carries pgtls's value: every pair the
 * client sent under that name is dropped, and the name with pgtls's value is appended before the
 * terminating NUL. Every other pair keeps its bytes as sent (no decoding: a client may use any
 * encoding). Pure function over bytes.
 */
public final class StartupSetting {
  /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH: a longer StartupMessage is refused by the backend. */
  public static final int MAX_STARTUP_PACKET_LENGTH = 10_000;

  private StartupSetting() {}

  /**
   * The StartupMessage of {@code length} bytes at {@code packet}'s position (read mode, not
   * consumed), with {@code name} set to {@code value}.
   *
   * @throws IllegalArgumentException when the result would be longer than PostgreSQL accepts
   */
  public static byte[] withSetting(ByteBuffer packet, int length, String name, String value) {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(length + nameBytes.length + valueBytes.length + 2);
    int start = packet.position();
    int end = start + length;
    byte[] header = new byte[8];
    packet.duplicate().position(start).get(header);
    out.write(header, 0, 8);
    int p = start + 8;
    while (p < end) {
      int nameEnd = indexOfNul(packet, p, end);
      if (nameEnd < 0 || nameEnd == p) {
        break; // the terminating NUL (or a malformed tail, which the backend judges)
      }
      int valueEnd = indexOfNul(packet, nameEnd + 1, end);
      if (valueEnd < 0) {
        break;
      }
      if (!sameBytes(packet, p, nameEnd, nameBytes)) {
        out.write(bytes(packet, p, valueEnd + 1), 0, valueEnd + 1 - p);
      }
      p = valueEnd + 1;
    }
    out.write(nameBytes, 0, nameBytes.length);
    out.write(0);
    out.write(valueBytes, 0, valueBytes.length);
    out.write(0);
    out.write(0);
    byte[] result = out.toByteArray();
    if (result.length > MAX_STARTUP_PACKET_LENGTH) {
      throw new IllegalArgumentException("the StartupMessage with " + name + " would be " + result.length
          + " bytes, more than PostgreSQL accepts (" + MAX_STARTUP_PACKET_LENGTH + ")");
    }
    ByteBuffer.wrap(result).putInt(0, result.length);
    return result;
  }

  private static int indexOfNul(ByteBuffer buf, int from, int end) {
    for (int i = from; i < end; i++) {
      if (buf.get(i) == 0) {
        return i;
      }
    }
    return -1;
  }

  private static boolean sameBytes(ByteBuffer buf, int from, int to, byte[] expected) {
    return to - from == expected.length && Arrays.equals(bytes(buf, from, to), expected);
  }

  private static byte[] bytes(ByteBuffer buf, int from, int to) {
    byte[] b = new byte[to - from];
    buf.duplicate().position(from).get(b);
    return b;
  }
}
