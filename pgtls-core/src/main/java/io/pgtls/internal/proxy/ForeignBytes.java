package io.pgtls.internal.proxy;

import io.pgtls.internal.pg.FirstPacket;
import java.nio.ByteBuffer;

/**
 * Says, for the operator, what arrived where a PROXY header was required: its first bytes in hex
 * and, when they are printable or a PostgreSQL or TLS opening, what they look like. A client that
 * bypassed the load balancer shows up as "a PostgreSQL SSLRequest". This names the bytes only; it
 * never lets them through.
 */
final class ForeignBytes {
  private static final int SHOWN = 8;

  private ForeignBytes() {}

  static String describe(ByteBuffer buf, int start, int available) {
    StringBuilder sb = new StringBuilder("not a PROXY protocol header (first bytes ")
        .append(LogText.hexBytes(buf, start, available, SHOWN));
    String looksLike = looksLike(buf, start, available);
    if (looksLike != null) {
      sb.append(": ").append(looksLike);
    }
    return sb.append(')').toString();
  }

  private static String looksLike(ByteBuffer buf, int start, int available) {
    ByteBuffer view = buf.duplicate();
    view.position(start).limit(start + available);
    switch (FirstPacket.peek(view).kind()) {
      case DIRECT_TLS:
        return "a TLS ClientHello";
      case SSL_REQUEST:
        return "a PostgreSQL SSLRequest";
      case GSSENC_REQUEST:
        return "a PostgreSQL GSSENCRequest";
      case CANCEL_REQUEST:
        return "a PostgreSQL CancelRequest";
      case STARTUP_MESSAGE:
        return "a PostgreSQL StartupMessage";
      default:
        break;
    }
    int n = Math.min(available, SHOWN);
    StringBuilder text = new StringBuilder("\"");
    for (int i = 0; i < n; i++) {
      int b = buf.get(start + i) & 0xFF;
      if (b < 0x20 || b >= 0x7F || b == '"' || b == '\\') {
        return null;
      }
      text.append((char) b);
    }
    return text.append('"').toString();
  }
}
