package io.pgtls.internal.proxy;

import io.pgtls.internal.proxy.ProxyHeader.Parse;
import io.pgtls.internal.proxy.ProxyHeader.Versions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Short ways for the tests to peek at bytes or text, with both versions accepted and a 4 KiB cap. */
final class Peeks {
  static final int CAP = 4096;

  private Peeks() {}

  static Parse peek(byte[] bytes) {
    return ProxyHeader.peek(ByteBuffer.wrap(bytes), Versions.V1_AND_V2, CAP);
  }

  static Parse peek(byte[] bytes, int length) {
    return ProxyHeader.peek(ByteBuffer.wrap(bytes, 0, length), Versions.V1_AND_V2, CAP);
  }

  static Parse peek(String text) {
    return peek(ascii(text));
  }

  static Parse peek(String text, Versions accepted) {
    return ProxyHeader.peek(ByteBuffer.wrap(ascii(text)), accepted, CAP);
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
