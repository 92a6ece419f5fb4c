package io.pgtls.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a v3 ErrorResponse back into its fields, checking its framing on the way. */
final class ErrorFields {
  private ErrorFields() {}

  /** The fields in wire order, by type byte; fails the test if the bytes are not one well-formed ErrorResponse. */
  static Map<Character, String> parse(byte[] e) {
    assertThat(e.length).as("type, length and terminator").isGreaterThanOrEqualTo(6);
    ByteBuffer b = ByteBuffer.wrap(e);
    assertThat(b.get()).as("type byte").isEqualTo((byte) 'E');
    assertThat(b.getInt()).as("length field (counts itself, not the type byte)").isEqualTo(e.length - 1);
    assertThat(e[e.length - 1]).as("final terminator").isZero();
    Map<Character, String> fields = new LinkedHashMap<>();
    int p = 5;
    while (e[p] != 0) {
      char type = (char) e[p];
      int end = p + 1;
      while (e[end] != 0) {
        end++;
      }
      String value = new String(e, p + 1, end - p - 1, StandardCharsets.UTF_8);
      assertThat(fields.put(type, value)).as("field %s appears once", type).isNull();
      p = end + 1;
      assertThat(p).as("a field ends before the final terminator").isLessThan(e.length);
    }
    assertThat(p).as("nothing after the final terminator").isEqualTo(e.length - 1);
    return fields;
  }
}
