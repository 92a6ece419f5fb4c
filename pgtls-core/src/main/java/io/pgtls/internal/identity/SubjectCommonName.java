package io.pgtls.internal.identity;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The common name PostgreSQL takes from a certificate subject: the first commonName attribute
 * (OID 2.5.4.3) in DER order, as OpenSSL's {@code X509_NAME_get_text_by_NID(name,
 * NID_commonName, ...)} finds it for PostgreSQL's {@code peer_cn}. Later commonNames are never
 * looked at, even when the first one yields nothing.
 *
 * <p>The subject is read from its DER encoding because {@link javax.security.auth.x500.X500Principal}
 * offers the attributes only as text, in which the order and the string type are lost. A Name is
 * {@code SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }}; only single-byte tags and definite
 * lengths are accepted, as DER requires.
 */
final class SubjectCommonName {
  private static final int SEQUENCE = 0x30;
  private static final int SET = 0x31;
  private static final int OBJECT_IDENTIFIER = 0x06;
  private static final int UTF8_STRING = 0x0C;
  private static final int PRINTABLE_STRING = 0x13;
  private static final int TELETEX_STRING = 0x14;
  private static final int IA5_STRING = 0x16;
  private static final int VISIBLE_STRING = 0x1A;
  private static final int UNIVERSAL_STRING = 0x1C;
  private static final int BMP_STRING = 0x1E;

  /** The content octets of OID 2.5.4.3 (id-at-commonName). */
  private static final byte[] COMMON_NAME = {0x55, 0x04, 0x03};

  private static final Charset UTF_32BE = Charset.forName("UTF-32BE");

  private SubjectCommonName() {}

  /**
   * The first commonName of the DER-encoded {@code subject}, decoded to text; empty when the
   * subject has none, when the DER is malformed, when the value is not a string type or not valid
   * in its type, or when it is empty or holds a NUL character (PostgreSQL refuses a common name
   * with an embedded NUL, CVE-2009-4034, and treats an empty one as "no user name").
   */
  static Optional<String> of(byte[] subject) {
    try {
      Element name = new Reader(subject, 0, subject.length).next(SEQUENCE);
      Reader rdns = name.children();
      while (rdns.hasMore()) {
        Reader attributes = rdns.next(SET).children();
        while (attributes.hasMore()) {
          Reader attribute = attributes.next(SEQUENCE).children();
          Element type = attribute.next(OBJECT_IDENTIFIER);
          Element value = attribute.next();
          if (Arrays.equals(type.value(), COMMON_NAME)) {
            return decode(value).filter(text -> !text.isEmpty() && text.indexOf('\0') < 0);
          }
        }
      }
      return Optional.empty();
    } catch (MalformedException e) {
      return Optional.empty();
    }
  }

  /**
   * The text of a DirectoryString (or IA5String) value. OpenSSL hands PostgreSQL the raw content
   * octets whatever the type; decoding them gives the same text for UTF8String and the ASCII types.
   * For BMPString and UniversalString it does not: their raw octets hold NULs for ASCII letters,
   * which PostgreSQL refuses, whereas here they are decoded as UTF-16BE and UTF-32BE.
   */
  private static Optional<String> decode(Element value) {
    Charset charset;
    switch (value.tag()) {
      case UTF8_STRING:
        charset = StandardCharsets.UTF_8;
        break;
      case PRINTABLE_STRING:
      case IA5_STRING:
      case VISIBLE_STRING:
        charset = StandardCharsets.US_ASCII;
        break;
      case TELETEX_STRING:
        // T.61 in theory; in practice CAs write Latin-1 into it, and that is how OpenSSL prints it.
        charset = StandardCharsets.ISO_8859_1;
        break;
      case BMP_STRING:
        charset = StandardCharsets.UTF_16BE;
        break;
      case UNIVERSAL_STRING:
        charset = UTF_32BE;
        break;
      default:
        return Optional.empty();
    }
    try {
      return Optional.of(charset.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value.value()))
          .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Bytes that are not the DER of a Name. */
  private static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException() {
      super(null, null, false, false);
    }
  }

  /** One tag-length-value element: its tag and where its content octets lie in {@code data}. */
  private record Element(int tag, byte[] data, int start, int end) {
    byte[] value() {
      return Arrays.copyOfRange(data, start, end);
    }

    Reader children() {
      return new Reader(data, start, end);
    }
  }

  /** Reads the elements between two offsets of a byte array, one after the other. */
  private static final class Reader {
    private final byte[] data;
    private final int end;
    private int position;

    Reader(byte[] data, int start, int end) {
      this.data = data;
      this.position = start;
      this.end = end;
    }

    boolean hasMore() {
      return position < end;
    }

    Element next(int expectedTag) throws MalformedException {
      Element element = next();
      if (element.tag() != expectedTag) {
        throw new MalformedException();
      }
      return element;
    }

    Element next() throws MalformedException {
      if (end - position < 2) {
        throw new MalformedException();
      }
      int tag = data[position++] & 0xFF;
      if ((tag & 0x1F) == 0x1F) {
        throw new MalformedException(); // a multi-byte tag: no Name attribute uses one
      }
      int first = data[position++] & 0xFF;
      long length = first;
      if (first >= 0x80) {
        int count = first & 0x7F;
        if (count == 0 || count > 4 || end - position < count) {
          throw new MalformedException(); // indefinite (BER only), oversized or truncated
        }
        length = 0;
        for (int i = 0; i < count; i++) {
          length = (length << 8) | (data[position++] & 0xFF);
        }
      }
      if (length > end - position) {
        throw new MalformedException();
      }
      int start = position;
      position += (int) length;
      return new Element(tag, data, start, position);
    }
  }
}
