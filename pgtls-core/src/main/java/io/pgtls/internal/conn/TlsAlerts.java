package io.pgtls.internal.conn;

import io.pgtls.internal.tls.ClientHelloPeek;

/**
 * Fatal TLS alerts pgtls writes itself, in plaintext records, when it refuses a ClientHello
 * before any SSLEngine exists for the connection (RFC 8446 §6: an alert record is content type
 * 21, legacy version 3.3, two bytes: level 2 = fatal, then the description).
 */
final class TlsAlerts {
  /** RFC 6066 §3: the server does not recognise the name the client asked for. */
  static final byte UNRECOGNIZED_NAME = 112;
  /** RFC 8446 §6.2: a message could not be parsed. */
  static final byte DECODE_ERROR = 50;
  /** RFC 8446 §6.2: a message arrived where it may not (a zero-length handshake record, a ServerHello). */
  static final byte UNEXPECTED_MESSAGE = 10;
  /** RFC 7301 §3.2: the client offered ALPN protocols, none of which the server speaks. */
  static final byte NO_APPLICATION_PROTOCOL = 120;
  /** RFC 8446 §6.2: a record longer than 2^14 bytes. */
  static final byte RECORD_OVERFLOW = 22;

  private TlsAlerts() {}

  static byte[] fatal(byte description) {
    return new byte[] {21, 3, 3, 0, 2, 2, description};
  }

  /** The alert for a ClientHello refused as {@code reason}; null for bytes that are not TLS at all. */
  static byte[] forRejected(ClientHelloPeek.Reason reason) {
    switch (reason) {
      case NOT_HANDSHAKE:
        return null; // not a TLS peer: an alert would be noise to it
      case NOT_CLIENT_HELLO:
      case ZERO_LENGTH_RECORD:
        return fatal(UNEXPECTED_MESSAGE);
      case RECORD_TOO_LARGE:
      case TOO_LARGE:
        return fatal(RECORD_OVERFLOW);
      case MALFORMED:
      default:
        return fatal(DECODE_ERROR);
    }
  }
}
