package io.pgtls.internal.pg;

import java.nio.ByteBuffer;

/**
 * The tail of a rewritten message that grew (a longer cancel key) and has not yet found room in
 * the relay buffer (write mode, data at [0, position)): final bytes that belong at one offset of
 * the data, in front of everything behind it, for {@link BackendKeyRewrite}.
 */
final class OwedTail {
  private byte[] bytes;

  OwedTail(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  boolean isEmpty() {
    return bytes.length == 0;
  }

  int length() {
    return bytes.length;
  }

  /**
   * Puts the owed bytes at {@code at}: inserted as far as the buffer has room (the data behind
   * moves back), and beyond that swapped with the bytes there, which are then owed in turn, so
   * the order is kept whatever the room. The bytes swapped out are not read: only for a stream
   * with nothing left to rewrite.
   *
   * @return the offset after the bytes placed, which are final
   */
  int deliver(ByteBuffer buf, int at) {
    int size = buf.position();
    int insert = Math.min(bytes.length, buf.limit() - size);
    move(buf, at, at + insert, size - at);
    buf.put(at, bytes, 0, insert);
    buf.position(size + insert);
    at += insert;
    int swap = Math.min(bytes.length - insert, buf.position() - at);
    byte[] rest = new byte[bytes.length - insert];
    System.arraycopy(bytes, insert + swap, rest, 0, rest.length - swap);
    buf.get(at, rest, rest.length - swap, swap);
    buf.put(at, bytes, insert, swap);
    bytes = rest;
    return at + swap;
  }

  /** Moves {@code n} bytes from {@code from} to {@code to} within the buffer; they may overlap. */
  static void move(ByteBuffer buf, int from, int to, int n) {
    if (n == 0 || from == to) {
      return;
    }
    if (buf.hasArray()) {
      int o = buf.arrayOffset();
      System.arraycopy(buf.array(), o + from, buf.array(), o + to, n);
    } else if (to > from) {
      for (int i = n - 1; i >= 0; i--) {
        buf.put(to + i, buf.get(from + i));
      }
    } else {
      for (int i = 0; i < n; i++) {
        buf.put(to + i, buf.get(from + i));
      }
    }
  }
}
