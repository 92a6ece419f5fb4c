package io.pgtls.tls;

import java.io.ByteArrayOutputStream;

/** Writes the few DER elements needed to build a PKCS#8 PrivateKeyInfo by hand. */
final class DerWriter {

  private DerWriter() {
  }

  static byte[] sequence(byte[]... encodedElements) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] element : encodedElements) {
      content.writeBytes(element);
    }
    return element(DerReader.SEQUENCE, content.toByteArray());
  }

  /** A small non-negative INTEGER such as a structure version. */
  static byte[] smallInteger(int value) {
    if (value < 0 || value > 127) {
      throw new IllegalArgumentException("only 0..127 supported: " + value);
    }
    return element(DerReader.INTEGER, new byte[] {(byte) value});
  }

  static byte[] octetString(byte[] value) {
    return element(DerReader.OCTET_STRING, value);
  }

  static byte[] nullValue() {
    return element(DerReader.NULL, new byte[0]);
  }

  static byte[] objectIdentifier(String dotted) {
    String[] parts = dotted.split("\\.");
    if (parts.length < 2) {
      throw new IllegalArgumentException("object identifier needs two arcs: " + dotted);
    }
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    writeArc(content, Long.parseLong(parts[0]) * 40 + Long.parseLong(parts[1]));
    for (int i = 2; i < parts.length; i++) {
      writeArc(content, Long.parseLong(parts[i]));
    }
    return element(DerReader.OBJECT_IDENTIFIER, content.toByteArray());
  }

  static byte[] element(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
    out.write(tag);
    int length = value.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int count = (Integer.SIZE - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | count);
      for (int shift = (count - 1) * 8; shift >= 0; shift -= 8) {
        out.write(length >>> shift);
      }
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static void writeArc(ByteArrayOutputStream out, long arc) {
    int groups = 1;
    for (long rest = arc >>> 7; rest != 0; rest >>>= 7) {
      groups++;
    }
    for (int i = groups - 1; i >= 0; i--) {
      int group = (int) ((arc >>> (7 * i)) & 0x7F);
      out.write(i == 0 ? group : group | 0x80);
    }
  }
}
