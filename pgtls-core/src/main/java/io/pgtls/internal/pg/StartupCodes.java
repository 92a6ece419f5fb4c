package io.pgtls.internal.pg;

/**
 * The codes of PostgreSQL's untyped first packets (Int32 length, Int32 code, payload). All are
 * big-endian; the "codes" are versions 1234.5678-1234.5680 that no real protocol uses.
 */
public final class StartupCodes {
  /** SSLRequest: 1234.5679, length 8. */
  public static final int SSL_REQUEST = 80877103;
  /** GSSENCRequest: 1234.5680, length 8. */
  public static final int GSSENC_REQUEST = 80877104;
  /** CancelRequest: 1234.5678, length 16 (protocol 3.0) or 12 + key length (3.2, key 1..256 bytes). */
  public static final int CANCEL_REQUEST = 80877102;
  /** Protocol 3.0 StartupMessage version; 3.2 is 196610. */
  public static final int PROTOCOL_3_0 = 196608;

  /** PostgreSQL's MAX_STARTUP_PACKET_LENGTH is 10000 bytes after the length word: field ≤ 10004. */
  public static final int MAX_STARTUP_PACKET_LENGTH = 10004;
  /** The smallest legal length field: the length word and a code. */
  public static final int MIN_STARTUP_PACKET_LENGTH = 8;

  /** The first byte of a TLS handshake record: a client using PG17's direct SSL sends it first. */
  public static final byte TLS_HANDSHAKE_RECORD = 0x16;

  private StartupCodes() {}

  /** The 8 bytes of an SSLRequest, as pgtls sends them to a backend (a fresh copy each call). */
  public static byte[] sslRequest() {
    return new byte[] {0, 0, 0, 8, 0x04, (byte) 0xD2, 0x16, 0x2F};
  }
}
