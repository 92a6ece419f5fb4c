package io.pgtls.internal.conn;

import java.io.IOException;

/**
 * An I/O or TLS failure on one {@link Leg}, carrying which side it was, so the driver's log line
 * names the side without tracking which leg was last touched.
 */
final class LegIOException extends IOException {
  private final String side;

  LegIOException(String side, IOException cause) {
    super(cause.getMessage(), cause);
    this.side = side;
  }

  String side() {
    return side;
  }

  /** The failure as the leg met it (an SSLException for a TLS error). */
  IOException failure() {
    return (IOException) getCause();
  }
}
