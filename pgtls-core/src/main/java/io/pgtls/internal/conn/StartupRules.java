package io.pgtls.internal.conn;

import io.pgtls.internal.pg.FirstPacket;
import io.pgtls.internal.pg.StartupCodes;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The startup decisions as pure logic over bytes: given what the client has sent so far (in read
 * mode, from its first byte), the listener's policy, and whether TLS is already up, what pgtls
 * answers. No I/O and no state; {@code StartupRulesTest} runs it as a table and fuzzes it.
 */
final class StartupRules {
  private StartupRules() {}

  /**
   * What the listener allows before TLS.
   *
   * @param routeName the route every client of the listener takes, or null when the route is
   *     chosen later, by server name; then {@code listener} names the listener in refusals
   */
  record Policy(String routeName, String listener, boolean allowPlaintextCancel, boolean allowPlaintextClients) {
    /** A listener with one route. */
    Policy(String routeName, boolean allowPlaintextCancel, boolean allowPlaintextClients) {
      this(routeName, null, allowPlaintextCancel, allowPlaintextClients);
    }
  }

  /** The answer to the bytes so far. */
  record Decision(Kind kind, int length, Map<String, String> parameters, String protocol, Rejection rejection) {
    enum Kind {
      /** Not enough bytes to decide; read more. */
      NEED_MORE,
      /** An SSLRequest (its 8 bytes) with nothing but a ClientHello behind it: answer 'S' and start TLS. */
      ANSWER_S,
      /** A GSSENCRequest (8 bytes): answer 'N' and read again (libpq then sends an SSLRequest). */
      ANSWER_N,
      /** A TLS ClientHello first (PostgreSQL 17+ direct SSL): the bytes are TLS input. */
      DIRECT_TLS,
      /** A CancelRequest of {@code length} bytes. */
      CANCEL,
      /** A StartupMessage of {@code length} bytes, its {@code parameters} and {@code protocol} ("3.0"). */
      SESSION,
      /** Refuse as {@code rejection} says. */
      REFUSE
    }

    String user() {
      return parameters.getOrDefault("user", "");
    }

    /** PostgreSQL's default: the database named like the user when none, or an empty name, is given. */
    String database() {
      String database = parameters.getOrDefault("database", "");
      return database.isEmpty() ? user() : database;
    }
  }

  private static final Decision NEED_MORE = new Decision(Decision.Kind.NEED_MORE, 0, Map.of(), "", null);
  private static final Decision ANSWER_S = new Decision(Decision.Kind.ANSWER_S, 8, Map.of(), "", null);
  private static final Decision ANSWER_N = new Decision(Decision.Kind.ANSWER_N, 8, Map.of(), "", null);
  private static final Decision DIRECT_TLS = new Decision(Decision.Kind.DIRECT_TLS, 0, Map.of(), "", null);

  /**
   * The first packet on a fresh connection, before any TLS. A plaintext StartupMessage is a
   * SESSION only where the listener allows plaintext clients; the caller relays it unencrypted.
   */
  static Decision beforeTls(ByteBuffer bytes, Policy policy) {
    FirstPacket fp = FirstPacket.peek(bytes);
    switch (fp.kind()) {
      case INCOMPLETE:
        return NEED_MORE;
      case DIRECT_TLS:
        return DIRECT_TLS;
      case SSL_REQUEST:
        // CVE-2021-23214: bytes sent after the SSLRequest but before TLS must never be taken as
        // part of the encrypted session. A ClientHello pipelined right behind the request (what
        // PostgreSQL 17 allows) is TLS input; anything else is refused here.
        if (bytes.remaining() > 8 && bytes.get(bytes.position() + 8) != StartupCodes.TLS_HANDSHAKE_RECORD) {
          return refuse(Refusals.unencryptedAfterSslRequest());
        }
        return ANSWER_S;
      case GSSENC_REQUEST:
        // pgtls does not do GSSAPI encryption: 'N', and libpq's follow-up SSLRequest on the same
        // socket works.
        return ANSWER_N;
      case CANCEL_REQUEST:
        if (!policy.allowPlaintextCancel()) {
          return refuse(Refusals.plaintextCancel());
        }
        return new Decision(Decision.Kind.CANCEL, fp.length(), Map.of(), "", null);
      case STARTUP_MESSAGE: {
        Decision session = session(bytes, fp);
        if (policy.allowPlaintextClients()) {
          return session;
        }
        return refuse(policy.routeName() != null
            ? Refusals.plaintextStartup(policy.routeName(), session.user(), session.database())
            : Refusals.plaintextStartupOnListener(policy.listener(), session.user(), session.database()));
      }
      case UNSUPPORTED_PROTOCOL:
        return refuse(Refusals.unsupportedProtocolInPlaintext(fp.majorVersion(), fp.minorVersion()));
      case INVALID_LENGTH:
      default:
        return refuse(Refusals.invalidLengthInPlaintext(fp.length()));
    }
  }

  /** The first message inside TLS: a StartupMessage or a CancelRequest, nothing else. */
  static Decision insideTls(ByteBuffer bytes) {
    FirstPacket fp = FirstPacket.peek(bytes);
    switch (fp.kind()) {
      case INCOMPLETE:
        return NEED_MORE;
      case STARTUP_MESSAGE:
        return session(bytes, fp);
      case CANCEL_REQUEST:
        return new Decision(Decision.Kind.CANCEL, fp.length(), Map.of(), "", null);
      case SSL_REQUEST:
      case GSSENC_REQUEST:
        return refuse(Refusals.encryptionRequestInsideTls(fp.kind().name(), fp.majorVersion(), fp.minorVersion()));
      case UNSUPPORTED_PROTOCOL:
        return refuse(Refusals.unsupportedProtocolInsideTls(fp.majorVersion(), fp.minorVersion()));
      case DIRECT_TLS:
      case INVALID_LENGTH:
      default:
        return refuse(Refusals.invalidLengthInsideTls(fp.length()));
    }
  }

  private static Decision session(ByteBuffer bytes, FirstPacket fp) {
    return new Decision(Decision.Kind.SESSION, fp.length(), FirstPacket.startupParameters(bytes, fp.length()),
        fp.majorVersion() + "." + fp.minorVersion(), null);
  }

  private static Decision refuse(Rejection rejection) {
    return new Decision(Decision.Kind.REFUSE, 0, Map.of(), "", rejection);
  }
}
