package io.pgtls.tls;

import java.util.Arrays;

/**
 * Reads the few DER structures pgtls needs (PKCS#8, PKCS#1, SEC1 key envelopes). Only
 * single-byte tags and definite lengths, which is all DER allows for these structures.
 */
final class DerReader {

  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OBJECT_IDENTIFIER = 0x06;
  static final int SEQUENCE = 0x30;

  /** A constructed context-specific tag such as {@code [0]} in SEC1 or PKCS#8. */
  static int contextTag(int number) {
    return 0xA0 | number;
  }

  /** Thrown for bytes that are not the expected DER. */
  static final class MalformedDerException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedDerException(String message) {
      super(message);
    }
  }

  /** One tag-length-value element inside {@code source}. */
  record Element(int tag, byte[] source, int start, int valueStart, int end) {

    byte[] value() {
      return Arrays.copyOfRange(source, valueStart, end);
    }

    /** The whole element, tag and length included. */
    byte[] encoding() {
      return Arrays.copyOfRange(source, start, end);
    }

    /** A reader over the children of a constructed element. */
    DerReader children() {
      return new DerReader(source, valueStart, end);
    }
  }

  private final byte[] data;
  private final int end;
  private int position;

  DerReader(byte[] data) {
    this(data, 0, data.length);
  }

  private DerReader(byte[] data, int start, int end) {
    this.data = data;
    this.position = start;
    this.end = end;
  }

  boolean hasMore() {
    return position < end;
  }

  /** The next element, whatever its tag. */
  Element next() throws MalformedDerException {
    if (position >= end) {
      throw new MalformedDerException("unexpected end of data");
    }
    int start = position;
    int tag = data[position++] & 0xFF;
    if ((tag & 0x1F) == 0x1F) {
      throw new MalformedDerException("multi-byte tags are not used in key structures");
    }
    if (position >= end) {
      throw new MalformedDerException("truncated length");
    }
    int first = data[position++] & 0xFF;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int count = first & 0x7F;
      if (count == 0 || count > 4) {
        throw new MalformedDerException("unsupported length encoding");
      }
      if (end - position < count) {
        throw new MalformedDerException("truncated length");
      }
      length = 0;
      for (int i = 0; i < count; i++) {
        length = (length << 8) | (data[position++] & 0xFF);
      }
    }
    if (length > end - position) {
      throw new MalformedDerException("element is longer than the data that contains it");
    }
    int valueStart = position;
    position += (int) length;
    return new Element(tag, data, start, valueStart, position);
  }

  /** The next element, which must carry {@code expectedTag}; {@code what} names it in errors. */
  Element next(int expectedTag, String what) throws MalformedDerException {
    Element element = next();
    if (element.tag() != expectedTag) {
      throw new MalformedDerException(String.format(
          "expected %s (tag 0x%02x) but found tag 0x%02x", what, expectedTag, element.tag()));
    }
    return element;
  }

  /** Dotted-decimal form of an OBJECT IDENTIFIER value, for messages and table look-ups. */
  static String objectIdentifier(Element element) throws MalformedDerException {
    if (element.tag() != OBJECT_IDENTIFIER) {
      throw new MalformedDerException("expected an object identifier");
    }
    byte[] value = element.value();
    if (value.length == 0) {
      throw new MalformedDerException("empty object identifier");
    }
    StringBuilder dotted = new StringBuilder();
    long arc = 0;
    boolean first = true;
    for (int i = 0; i < value.length; i++) {
      int b = value[i] & 0xFF;
      if (arc > (Long.MAX_VALUE >>> 7)) {
        throw new MalformedDerException("object identifier arc too large");
      }
      arc = (arc << 7) | (b & 0x7F);
      if ((b & 0x80) != 0) {
        if (i == value.length - 1) {
          throw new MalformedDerException("truncated object identifier");
        }
        continue;
      }
      if (first) {
        long top = Math.min(arc / 40, 2);
        dotted.append(top).append('.').append(arc - top * 40);
        first = false;
      } else {
        dotted.append('.').append(arc);
      }
      arc = 0;
    }
    return dotted.toString();
  }
}
