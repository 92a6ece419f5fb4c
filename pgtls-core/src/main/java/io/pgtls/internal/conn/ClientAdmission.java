package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.identity.IdentityCheck;
import io.pgtls.internal.pg.StartupSetting;
import io.pgtls.internal.route.CompiledRoute;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;

/**
 * Whether a session may go on to the backend, judged on its StartupMessage before any backend
 * connection is opened: the route's client-certificate policy and identity rule ({@link
 * IdentityCheck}), and, when the route passes the identity on, the StartupMessage rewritten so
 * that the backend setting carries pgtls's value whatever the client sent.
 */
final class ClientAdmission {
  private ClientAdmission() {}

  /**
   * The verdict: {@code request} to go on with (its packet length changed if the StartupMessage
   * was rewritten), or the {@code rejection} to refuse with; {@code reason} and {@code identity}
   * for the log and the audit event.
   */
  record Verdict(SessionRequest request, Rejection rejection, String identity, String mapLine, String reason) {
    boolean admitted() {
      return rejection == null;
    }
  }

  /**
   * Judges {@code request} on {@code route}: the client's address against the route's allowed
   * sources, its certificate ({@code peer}, null when it sent none) against the route's identity
   * rule, and last its address's share of connections (judged last: it counts a refusal).
   */
  static Verdict judge(CompiledRoute route, ClientSource source, X509Certificate peer, SessionRequest request,
      PooledBuffer c2b) {
    if (!route.allowsSource(source.ip())) {
      String host = source.ip().getHostAddress();
      return new Verdict(request, Refusals.sourceNotAllowed(route.name(), host, request.user(), request.database()),
          "", "", "host " + host + " is not in allowed_sources");
    }
    Verdict identity = identity(route.identityCheck(), peer, request, c2b);
    if (identity.admitted() && !source.admitSession()) {
      int max = source.maxConnections();
      return new Verdict(identity.request(), Refusals.tooManyFromSource(request.user(), request.database(),
          source.ip().getHostAddress(), source.connections(), max), identity.identity(), identity.mapLine(),
          "over max_connections_per_source");
    }
    return identity;
  }

  /** The identity rule's verdict ({@code check} null: the route asks for no client certificates). */
  private static Verdict identity(IdentityCheck check, X509Certificate peer, SessionRequest request, PooledBuffer c2b) {
    if (check == null) {
      return new Verdict(request, null, "", "", "");
    }
    IdentityCheck.Verdict v = check.check(peer, request.user());
    switch (v.result()) {
      case NO_CERTIFICATE:
        return new Verdict(request, Refusals.clientCertificateRequired(request.user(), request.database(), v.reason()),
            v.identity(), v.mapLine(), v.reason());
      case NOT_AUTHORISED:
        return new Verdict(request, Refusals.certificateAuthenticationFailed(request.user(), request.database(),
            v.identity(), v.mapLine(), v.reason()), v.identity(), v.mapLine(), v.reason());
      case ALLOWED:
      default:
        break;
    }
    if (check.backendSetting() == null) {
      return new Verdict(request, null, v.identity(), v.mapLine(), v.reason());
    }
    // A client without a certificate (optional routes) gets the setting too, empty: otherwise it
    // could send its own value and pass for anyone.
    String value = peer == null ? "" : v.identity();
    try {
      int length = rewrite(c2b, request.packetLength(), check.backendSetting(), value);
      return new Verdict(request.withPacketLength(length), null, v.identity(), v.mapLine(), v.reason());
    } catch (IllegalArgumentException e) {
      return new Verdict(request, Refusals.startupTooLongForIdentity(request.user(), request.database(),
          e.getMessage()), v.identity(), v.mapLine(), e.getMessage());
    }
  }

  /**
   * Replaces the StartupMessage at the start of {@code c2b} (write mode, data [0, position)) with
   * one that sets {@code name}; whatever the client sent after it stays behind it. Returns the new
   * length.
   */
  private static int rewrite(PooledBuffer c2b, int length, String name, String value) {
    ByteBuffer view = c2b.view();
    byte[] packet = StartupSetting.withSetting(view, length, name, value);
    byte[] tail = new byte[view.remaining() - length];
    view.position(length).get(tail);
    ByteBuffer buf = c2b.prepare();
    if (packet.length + tail.length > buf.capacity()) {
      throw new IllegalArgumentException("the StartupMessage with " + name + " and the bytes behind it do not fit "
          + buf.capacity() + " bytes");
    }
    c2b.truncate(0);
    buf.put(packet).put(tail);
    return packet.length;
  }
}
