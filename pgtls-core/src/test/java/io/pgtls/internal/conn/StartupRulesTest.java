package io.pgtls.internal.conn;

import static io.pgtls.internal.conn.Packets.ascii;
import static io.pgtls.internal.conn.Packets.cancel;
import static io.pgtls.internal.conn.Packets.clientHello;
import static io.pgtls.internal.conn.Packets.concat;
import static io.pgtls.internal.conn.Packets.gssencRequest;
import static io.pgtls.internal.conn.Packets.special;
import static io.pgtls.internal.conn.Packets.sslRequest;
import static io.pgtls.internal.conn.Packets.startup;
import static io.pgtls.internal.conn.Packets.startupOfLength;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.conn.Rejection.Ending;
import io.pgtls.internal.conn.StartupRules.Decision;
import io.pgtls.internal.conn.StartupRules.Decision.Kind;
import io.pgtls.internal.conn.StartupRules.Policy;
import io.pgtls.internal.pg.StartupCodes;
import io.pgtls.internal.route.Refusal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The startup decisions as a table: each case is named after what it guards against, and runs
 * before TLS under a listener policy or inside TLS.
 */
class StartupRulesTest {
  static final Policy TLS_ONLY = new Policy("main", false, false);
  static final Policy PLAINTEXT_CANCELS = new Policy("main", true, false);
  static final Policy PLAINTEXT_CLIENTS = new Policy("main", false, true);
  static final Policy PLAINTEXT_BOTH = new Policy("main", true, true);
  static final List<Policy> POLICIES = List.of(TLS_ONLY, PLAINTEXT_CANCELS, PLAINTEXT_CLIENTS, PLAINTEXT_BOTH);

  private static final int V3_0 = StartupCodes.PROTOCOL_3_0;
  private static final String PLAINTEXT_REFUSED =
      "pgtls route 'main' requires an encrypted connection (SSL/TLS); this connection was not encrypted";

  /** Bytes decided before TLS under {@code policy}, or inside TLS when it is null. */
  record Case(String trap, byte[] bytes, Policy policy, Expect expect) {
    Decision decide(ByteBuffer buf) {
      return policy == null ? StartupRules.insideTls(buf) : StartupRules.beforeTls(buf, policy);
    }

    @Override
    public String toString() {
      return trap + (policy == null ? " [inside TLS]" : " [" + describe(policy) + "]");
    }
  }

  /** The expected decision; the session and refusal fields are null where they do not apply. */
  record Expect(Kind kind, int length, String user, String database, String protocol, Refusal reason, Ending ending,
      String sqlstate, String message) {}

  static Expect answer(Kind kind, int length) {
    return new Expect(kind, length, null, null, null, null, null, null, null);
  }

  static Expect session(int length, String user, String database, String protocol) {
    return new Expect(Kind.SESSION, length, user, database, protocol, null, null, null, null);
  }

  static Expect fatal(Refusal reason, String sqlstate, String message) {
    return new Expect(Kind.REFUSE, 0, null, null, null, reason, Ending.FATAL, sqlstate, message);
  }

  static Expect closedAtOnce(Refusal reason) {
    return new Expect(Kind.REFUSE, 0, null, null, null, reason, Ending.NOW, null, null);
  }

  static String describe(Policy p) {
    if (p.allowPlaintextCancel() && p.allowPlaintextClients()) {
      return "plaintext cancels and clients";
    }
    return p.allowPlaintextCancel() ? "plaintext cancels" : p.allowPlaintextClients() ? "plaintext clients" : "TLS only";
  }

  static Case before(String trap, byte[] bytes, Policy policy, Expect expect) {
    return new Case(trap, bytes, policy, expect);
  }

  static Stream<Case> underEveryPolicy(String trap, byte[] bytes, Expect expect) {
    return POLICIES.stream().map(p -> new Case(trap, bytes, p, expect));
  }

  static Case inside(String trap, byte[] bytes, Expect expect) {
    return new Case(trap, bytes, null, expect);
  }

  // ---------------------------------------------------------------------------------------------

  static Stream<Case> beforeTls() {
    byte[] alice = startup(V3_0, "user", "alice", "database", "app");
    byte[] bob = startup(V3_0, "user", "bob");
    byte[] emptyDatabase = startup(V3_0, "user", "alice", "database", "");
    byte[] v32 = startup(Packets.PROTOCOL_3_2, "user", "alice");
    byte[] grease = startup((3 << 16) | 9999, "user", "alice", "_pq_.grease", "1");
    byte[] noTerminator = ByteBuffer.allocate(19).putInt(19).putInt(V3_0).put(ascii("user\0alice\0")).array();
    List<Stream<Case>> cases = List.of(
        underEveryPolicy("SSLRequest alone is answered S", sslRequest(), answer(Kind.ANSWER_S, 8)),
        underEveryPolicy("SSLRequest with a ClientHello pipelined behind it is answered S (PG17)",
            concat(sslRequest(), clientHello()), answer(Kind.ANSWER_S, 8)),
        underEveryPolicy("plaintext StartupMessage behind an SSLRequest is refused (CVE-2021-23214)",
            concat(sslRequest(), alice), fatal(Refusal.UNENCRYPTED_AFTER_SSL_REQUEST, "08P01",
                "received unencrypted data after SSL request")),
        underEveryPolicy("one plaintext byte behind an SSLRequest is refused (CVE-2021-23214)",
            concat(sslRequest(), ascii("Q")), fatal(Refusal.UNENCRYPTED_AFTER_SSL_REQUEST, "08P01",
                "received unencrypted data after SSL request")),
        underEveryPolicy("GSSENCRequest is answered N", gssencRequest(), answer(Kind.ANSWER_N, 8)),
        underEveryPolicy("GSSENCRequest with libpq's SSLRequest behind it is answered N first",
            concat(gssencRequest(), sslRequest()), answer(Kind.ANSWER_N, 8)),
        underEveryPolicy("ClientHello first is direct TLS (PG17)", clientHello(), answer(Kind.DIRECT_TLS, 0)),
        underEveryPolicy("a lone 0x16 is direct TLS, not a length", new byte[] {0x16}, answer(Kind.DIRECT_TLS, 0)),
        Stream.of(
            before("plaintext 3.0 CancelRequest is forwarded where allowed", cancel(4), PLAINTEXT_CANCELS,
                answer(Kind.CANCEL, 16)),
            before("plaintext 3.2 long-key CancelRequest is forwarded where allowed", cancel(32), PLAINTEXT_BOTH,
                answer(Kind.CANCEL, 44)),
            before("CancelRequest with a 1-byte key is PG18's shortest", cancel(1), PLAINTEXT_CANCELS,
                answer(Kind.CANCEL, 13)),
            before("CancelRequest with a 256-byte key is PG18's longest", cancel(256), PLAINTEXT_CANCELS,
                answer(Kind.CANCEL, 268)),
            before("CancelRequest with only the bytes behind it counted", concat(cancel(4), sslRequest()),
                PLAINTEXT_CANCELS, answer(Kind.CANCEL, 16)),
            before("plaintext CancelRequest is dropped where cancels need TLS", cancel(4), TLS_ONLY,
                closedAtOnce(Refusal.PLAINTEXT_CANCEL)),
            before("plaintext clients allowed do not allow plaintext cancels", cancel(4), PLAINTEXT_CLIENTS,
                closedAtOnce(Refusal.PLAINTEXT_CANCEL)),
            before("plaintext 3.2 CancelRequest is dropped where cancels need TLS", cancel(32), TLS_ONLY,
                closedAtOnce(Refusal.PLAINTEXT_CANCEL)),
            before("plaintext StartupMessage is refused with 28000 so allow-mode clients retry over TLS", alice,
                TLS_ONLY, fatal(Refusal.PLAINTEXT, "28000", PLAINTEXT_REFUSED)),
            before("plaintext cancels allowed do not allow plaintext sessions", alice, PLAINTEXT_CANCELS,
                fatal(Refusal.PLAINTEXT, "28000", PLAINTEXT_REFUSED)),
            before("plaintext StartupMessage is a session where the route opts in", alice, PLAINTEXT_CLIENTS,
                session(alice.length, "alice", "app", "3.0")),
            before("the database defaults to the user", bob, PLAINTEXT_BOTH, session(bob.length, "bob", "bob", "3.0")),
            before("an empty database defaults to the user, as PostgreSQL reads it", emptyDatabase, PLAINTEXT_CLIENTS,
                session(emptyDatabase.length, "alice", "alice", "3.0")),
            before("protocol 3.2 passes as it is", v32, PLAINTEXT_CLIENTS, session(v32.length, "alice", "alice", "3.2")),
            before("PG19 grease 3.9999 passes untouched", grease, PLAINTEXT_CLIENTS,
                session(grease.length, "alice", "alice", "3.9999")),
            before("a missing final terminator is left to the backend", noTerminator, PLAINTEXT_CLIENTS,
                session(19, "alice", "alice", "3.0")),
            before("a StartupMessage of length 10004 is accepted", startupOfLength(10004), PLAINTEXT_CLIENTS,
                session(10004, "alice", "alice", "3.0"))),
        underEveryPolicy("protocol 2.0 gets a v3 FATAL, never the backend's v2 error",
            startup(2 << 16, "user", "alice"), fatal(Refusal.UNSUPPORTED_PROTOCOL, "0A000",
                "unsupported frontend protocol 2.0: pgtls supports protocol 3 over TLS only")),
        underEveryPolicy("protocol 4.0 is refused", startup(4 << 16, "user", "alice"),
            fatal(Refusal.UNSUPPORTED_PROTOCOL, "0A000",
                "unsupported frontend protocol 4.0: pgtls supports protocol 3 over TLS only")),
        underEveryPolicy("length 0 is closed without a reply", special(0, V3_0), closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("length 7 is closed without a reply", special(7, V3_0), closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("length 10005 is closed without a reply", special(10005, V3_0),
            closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("a negative length is closed without a reply", special(-8, V3_0),
            closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("an impossible length is refused from its 4 bytes, without waiting", new byte[] {0, 0, 0, 7},
            closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("SSLRequest of length 9 is closed without a reply", special(9, StartupCodes.SSL_REQUEST),
            closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("GSSENCRequest of length 16 is closed without a reply",
            special(16, StartupCodes.GSSENC_REQUEST), closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("CancelRequest without a key (12) is closed without a reply",
            special(12, StartupCodes.CANCEL_REQUEST), closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("CancelRequest with a 257-byte key (269) is closed without a reply",
            special(269, StartupCodes.CANCEL_REQUEST), closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("an HTTP request is closed without a reply", ascii("GET / HTTP/1.1\r\n\r\n"),
            closedAtOnce(Refusal.INVALID_PACKET)),
        underEveryPolicy("a PROXY v2 header is closed without a reply",
            new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A},
            closedAtOnce(Refusal.INVALID_PACKET)));
    return cases.stream().flatMap(s -> s);
  }

  static Stream<Case> insideTls() {
    byte[] alice = startup(V3_0, "user", "alice", "database", "app");
    byte[] bob = startup(V3_0, "user", "bob");
    byte[] emptyDatabase = startup(V3_0, "user", "alice", "database", "");
    byte[] v32 = startup(Packets.PROTOCOL_3_2, "user", "a");
    String invalidLength = "invalid length of startup packet";
    return Stream.of(
        inside("StartupMessage is a session", alice, session(alice.length, "alice", "app", "3.0")),
        inside("the database defaults to the user", bob, session(bob.length, "bob", "bob", "3.0")),
        inside("an empty database defaults to the user, as PostgreSQL reads it", emptyDatabase,
            session(emptyDatabase.length, "alice", "alice", "3.0")),
        inside("pipelined bytes behind the StartupMessage are not part of it", concat(bob, ascii("Q\0\0\0\5;")),
            session(bob.length, "bob", "bob", "3.0")),
        inside("protocol 3.2 is a session", v32, session(v32.length, "a", "a", "3.2")),
        inside("CancelRequest inside TLS is forwarded", cancel(4), answer(Kind.CANCEL, 16)),
        inside("3.2 long-key CancelRequest inside TLS is forwarded", cancel(32), answer(Kind.CANCEL, 44)),
        inside("SSLRequest inside TLS is refused as PostgreSQL refuses protocol 1234.5679", sslRequest(),
            fatal(Refusal.UNSUPPORTED_PROTOCOL, "0A000",
                "unsupported frontend protocol 1234.5679: an encryption request inside an encrypted connection")),
        inside("GSSENCRequest inside TLS is refused as protocol 1234.5680", gssencRequest(),
            fatal(Refusal.UNSUPPORTED_PROTOCOL, "0A000",
                "unsupported frontend protocol 1234.5680: an encryption request inside an encrypted connection")),
        inside("a ClientHello inside TLS is not a second handshake", clientHello(),
            fatal(Refusal.INVALID_PACKET, "08P01", invalidLength)),
        inside("length 0 inside TLS", special(0, V3_0), fatal(Refusal.INVALID_PACKET, "08P01", invalidLength)),
        inside("length 7 inside TLS", special(7, V3_0), fatal(Refusal.INVALID_PACKET, "08P01", invalidLength)),
        inside("length 10005 inside TLS", special(10005, V3_0), fatal(Refusal.INVALID_PACKET, "08P01", invalidLength)),
        inside("a negative length inside TLS", special(-8, V3_0), fatal(Refusal.INVALID_PACKET, "08P01", invalidLength)),
        inside("SSLRequest of length 9 inside TLS", special(9, StartupCodes.SSL_REQUEST),
            fatal(Refusal.INVALID_PACKET, "08P01", invalidLength)),
        inside("CancelRequest without a key inside TLS", special(12, StartupCodes.CANCEL_REQUEST),
            fatal(Refusal.INVALID_PACKET, "08P01", invalidLength)),
        inside("protocol 4.0 inside TLS", startup(4 << 16, "user", "alice"), fatal(Refusal.UNSUPPORTED_PROTOCOL,
            "0A000", "unsupported frontend protocol 4.0: server supports 3.0 to 3.2")),
        inside("protocol 2.0 inside TLS gets a v3 FATAL", startup(2 << 16, "user", "alice"),
            fatal(Refusal.UNSUPPORTED_PROTOCOL, "0A000", "unsupported frontend protocol 2.0: server supports 3.0 to 3.2")));
  }

  static Stream<Case> everyCase() {
    return Stream.concat(beforeTls(), insideTls());
  }

  /** Complete valid packets, decided a byte at a time. */
  static Stream<Case> validPackets() {
    byte[] alice = startup(V3_0, "user", "alice", "database", "app");
    List<Case> cases = new ArrayList<>();
    for (Policy p : POLICIES) {
      cases.add(before("SSLRequest", sslRequest(), p, null));
      cases.add(before("GSSENCRequest", gssencRequest(), p, null));
      cases.add(before("3.0 CancelRequest", cancel(4), p, null));
      cases.add(before("3.2 CancelRequest", cancel(32), p, null));
      cases.add(before("StartupMessage", alice, p, null));
    }
    cases.add(inside("3.0 CancelRequest", cancel(4), null));
    cases.add(inside("3.2 CancelRequest", cancel(32), null));
    cases.add(inside("StartupMessage", alice, null));
    cases.add(inside("StartupMessage of length 10004", startupOfLength(10004), null));
    return cases.stream();
  }

  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCase")
  void decision(Case c) {
    ByteBuffer buf = ByteBuffer.wrap(c.bytes());
    Decision d = c.decide(buf);
    assertThat(buf.position()).as("position").isZero();
    assertThat(buf.limit()).as("limit").isEqualTo(c.bytes().length);
    assertThat(c.decide(buf)).as("the same answer twice").isEqualTo(d);
    assertMatches(d, c.expect());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCase")
  void decisionReadsFromTheBuffersPositionNotFromZero(Case c) {
    byte[] shifted = concat(ascii("xyz"), c.bytes());
    ByteBuffer buf = ByteBuffer.wrap(shifted);
    buf.position(3);
    Decision d = c.decide(buf);
    assertThat(buf.position()).as("position").isEqualTo(3);
    assertThat(d).isEqualTo(c.decide(ByteBuffer.wrap(c.bytes())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validPackets")
  void everyPrefixOfAValidPacketNeedsMore(Case c) {
    byte[] whole = c.bytes();
    for (int n = 0; n < whole.length; n++) {
      ByteBuffer arrived = ByteBuffer.wrap(whole, 0, n);
      assertThat(c.decide(arrived).kind()).as("after %d of %d bytes", n, whole.length).isEqualTo(Kind.NEED_MORE);
      assertThat(arrived.position()).isZero();
      assertThat(arrived.limit()).isEqualTo(n);
    }
    assertThat(c.decide(ByteBuffer.wrap(whole)).kind()).as("once complete").isNotEqualTo(Kind.NEED_MORE);
  }

  private static void assertMatches(Decision d, Expect e) {
    assertThat(d.kind()).as("kind").isEqualTo(e.kind());
    assertThat(d.length()).as("length").isEqualTo(e.length());
    if (e.kind() != Kind.REFUSE) {
      assertThat(d.rejection()).as("rejection").isNull();
    }
    if (e.kind() == Kind.SESSION) {
      assertThat(d.user()).as("user").isEqualTo(e.user());
      assertThat(d.database()).as("database").isEqualTo(e.database());
      assertThat(d.protocol()).as("protocol").isEqualTo(e.protocol());
    }
    if (e.kind() == Kind.REFUSE) {
      Rejection r = d.rejection();
      assertThat(r).as("rejection").isNotNull();
      assertThat(r.reason()).as("reason").isEqualTo(e.reason());
      assertThat(r.ending()).as("ending").isEqualTo(e.ending());
      assertThat(r.sqlstate()).as("sqlstate").isEqualTo(e.sqlstate());
      assertThat(r.message()).as("message").isEqualTo(e.message());
      assertThat(r.tellsClient()).as("tells the client").isEqualTo(e.sqlstate() != null);
    }
  }
}
