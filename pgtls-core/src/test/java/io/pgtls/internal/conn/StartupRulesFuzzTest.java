package io.pgtls.internal.conn;

import static io.pgtls.internal.conn.Packets.cancel;
import static io.pgtls.internal.conn.Packets.clientHello;
import static io.pgtls.internal.conn.Packets.concat;
import static io.pgtls.internal.conn.Packets.gssencRequest;
import static io.pgtls.internal.conn.Packets.sslRequest;
import static io.pgtls.internal.conn.Packets.startup;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pgtls.internal.conn.Rejection.Ending;
import io.pgtls.internal.conn.StartupRules.Decision;
import io.pgtls.internal.conn.StartupRules.Decision.Kind;
import io.pgtls.internal.conn.StartupRules.Policy;
import io.pgtls.internal.pg.StartupCodes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the startup decisions before and inside TLS under every listener policy. Whatever the
 * bytes, nothing throws, the buffer is left as it was, every refusal carries a rejection and every
 * FATAL is a well-formed ErrorResponse, no packet is longer than the bytes given, the policy is
 * obeyed, and a decision, once made, holds when more bytes arrive. Two bounded runs of random and
 * mutated inputs are part of every build: a fixed seed and a fresh one, printed on failure. The
 * Jazzer target gets the bounded run of the core pom's fuzz execution; for a long local run:
 * {@code JAZZER_FUZZ=1 mvn -pl pgtls-core test -Dtest=StartupRulesFuzzTest -Djazzer.max_duration=10m}.
 */
class StartupRulesFuzzTest {
  private static final long FIXED_SEED = 0x23214_23222L;
  private static final int INPUTS_PER_SEED = 5_000;
  private static final List<Policy> POLICIES = StartupRulesTest.POLICIES;
  private static final List<byte[]> VALID = List.of(sslRequest(), gssencRequest(), cancel(4), cancel(32), cancel(1),
      startup(StartupCodes.PROTOCOL_3_0, "user", "alice", "database", "app"), startup(Packets.PROTOCOL_3_2, "user", "b"),
      startup(4 << 16, "user", "alice"), clientHello(), concat(sslRequest(), clientHello()),
      concat(sslRequest(), startup(StartupCodes.PROTOCOL_3_0, "user", "alice")), concat(gssencRequest(), sslRequest()));
  private static final int[] CODES = {StartupCodes.SSL_REQUEST, StartupCodes.GSSENC_REQUEST,
      StartupCodes.CANCEL_REQUEST, StartupCodes.PROTOCOL_3_0, Packets.PROTOCOL_3_2, 2 << 16, 4 << 16, 0, -1};
  private static final int[] LENGTHS = {-1, Integer.MIN_VALUE, 0, 4, 7, 8, 9, 12, 13, 16, 44, 268, 269, 10004, 10005,
      0x16000000, Integer.MAX_VALUE};

  @Test
  void decisionsHoldTheirInvariantsForAFixedSeed() {
    run(FIXED_SEED);
  }

  @Test
  void decisionsHoldTheirInvariantsForAFreshSeed() {
    run(new Random().nextLong());
  }

  /** The first byte picks where the rest is decided: before TLS under one of the policies, or inside TLS. */
  @FuzzTest(maxDuration = "10s")
  void startupDecisionsAreTotalAndBounded(byte[] input) {
    if (input.length == 0) {
      return;
    }
    int where = (input[0] & 0xFF) % (POLICIES.size() + 1);
    Policy policy = where < POLICIES.size() ? POLICIES.get(where) : null;
    check(Arrays.copyOfRange(input, 1, input.length), policy, 0, input[0] & 0x0F);
  }

  private static void run(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < INPUTS_PER_SEED; i++) {
      byte[] input = random.nextInt(4) == 0 ? randomBytes(random) : mutated(random);
      int offset = random.nextInt(4);
      int slack = random.nextInt(4);
      try {
        for (Policy p : POLICIES) {
          check(input, p, offset, slack);
        }
        check(input, null, offset, slack);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ", input #" + i + " at offset " + offset + ": "
            + HexFormat.of().formatHex(input), e);
      }
    }
  }

  private static byte[] randomBytes(Random random) {
    byte[] b = new byte[random.nextInt(random.nextBoolean() ? 16 : 300)];
    random.nextBytes(b);
    return b;
  }

  private static byte[] mutated(Random random) {
    byte[] b = VALID.get(random.nextInt(VALID.size())).clone();
    int mutations = random.nextInt(4);
    for (int m = 0; m < mutations; m++) {
      switch (random.nextInt(6)) {
        case 0:
          if (b.length > 0) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
          }
          break;
        case 1:
          b = Arrays.copyOf(b, random.nextInt(b.length + 1));
          break;
        case 2:
          b = concat(b, randomBytes(random));
          break;
        case 3:
          b = concat(b, VALID.get(random.nextInt(VALID.size())));
          break;
        case 4:
          if (b.length >= 4) {
            ByteBuffer.wrap(b).putInt(0, LENGTHS[random.nextInt(LENGTHS.length)]);
          }
          break;
        default:
          if (b.length >= 8) {
            ByteBuffer.wrap(b).putInt(4, CODES[random.nextInt(CODES.length)]);
          }
          break;
      }
    }
    return b;
  }

  /**
   * Decides {@code input} placed at {@code offset} in a larger array with {@code slack} bytes of
   * other data behind its limit, and checks every invariant.
   */
  private static void check(byte[] input, Policy policy, int offset, int slack) {
    byte[] backing = new byte[offset + input.length + slack];
    Arrays.fill(backing, (byte) 0x16);
    System.arraycopy(input, 0, backing, offset, input.length);
    byte[] before = backing.clone();
    ByteBuffer buf = ByteBuffer.wrap(backing, offset, input.length);

    Decision d = decide(buf, policy);

    assertThat(buf.position()).as("position").isEqualTo(offset);
    assertThat(buf.limit()).as("limit").isEqualTo(offset + input.length);
    assertThat(backing).as("the bytes are only read").isEqualTo(before);
    assertThat(d).as("decision").isNotNull();
    assertThat(d.kind()).as("kind").isNotNull();
    assertThat(decide(buf, policy)).as("the same answer twice").isEqualTo(d);
    assertWellFormed(d, input, policy);
    assertHoldsAsMoreArrives(d, input, policy);
  }

  private static Decision decide(ByteBuffer buf, Policy policy) {
    return policy == null ? StartupRules.insideTls(buf) : StartupRules.beforeTls(buf, policy);
  }

  private static void assertWellFormed(Decision d, byte[] input, Policy policy) {
    assertThat(d.parameters()).as("parameters").isNotNull();
    assertThat(d.protocol()).as("protocol").isNotNull();
    if (d.kind() == Kind.REFUSE) {
      assertRejection(d.rejection());
    } else {
      assertThat(d.rejection()).as("rejection of a " + d.kind()).isNull();
    }
    switch (d.kind()) {
      case SESSION:
        assertThat(policy == null || policy.allowPlaintextClients()).as("a plaintext session where allowed").isTrue();
        assertThat(d.length()).isBetween(StartupCodes.MIN_STARTUP_PACKET_LENGTH, StartupCodes.MAX_STARTUP_PACKET_LENGTH)
            .isLessThanOrEqualTo(input.length);
        assertThat(d.protocol()).startsWith("3.");
        assertThat(d.user()).isNotNull();
        assertThat(d.database()).isNotNull();
        break;
      case CANCEL:
        assertThat(policy == null || policy.allowPlaintextCancel()).as("a plaintext cancel where allowed").isTrue();
        assertThat(d.length()).isBetween(13, 12 + 256).isLessThanOrEqualTo(input.length);
        break;
      case ANSWER_S:
      case ANSWER_N:
        assertThat(policy).as("an encryption request answered inside TLS").isNotNull();
        assertThat(d.length()).isEqualTo(8).isLessThanOrEqualTo(input.length);
        break;
      case DIRECT_TLS:
        assertThat(policy).as("direct TLS inside TLS").isNotNull();
        assertThat(input[0]).isEqualTo(StartupCodes.TLS_HANDSHAKE_RECORD);
        break;
      case NEED_MORE:
        assertThat(input.length).as("more is needed only below the longest packet")
            .isLessThan(StartupCodes.MAX_STARTUP_PACKET_LENGTH);
        break;
      default:
        break;
    }
  }

  private static void assertRejection(Rejection r) {
    assertThat(r).as("a refusal carries a rejection").isNotNull();
    assertThat(r.reason()).isNotNull();
    assertThat(r.ending()).isNotNull();
    assertThat(r.logLine()).isNotBlank();
    assertThat(r.closeReason()).isNotBlank();
    boolean fatal = r.ending() == Ending.FATAL || r.ending() == Ending.BACKEND_FAILURE;
    assertThat(r.tellsClient()).as("tells the client iff it ends in a FATAL").isEqualTo(fatal);
    if (r.tellsClient()) {
      Map<Character, String> fields = ErrorFields.parse(r.errorResponse());
      assertThat(fields).containsEntry('S', "FATAL").containsEntry('C', r.sqlstate()).containsEntry('M', r.message());
    }
  }

  /** Past NEED_MORE, only an 'S' can still turn into a refusal (plaintext behind the SSLRequest). */
  private static void assertHoldsAsMoreArrives(Decision full, byte[] input, Policy policy) {
    for (int n = 0; n < input.length; n++) {
      Decision early = decide(ByteBuffer.wrap(input, 0, n), policy);
      if (early.kind() == Kind.NEED_MORE) {
        continue;
      }
      if (early.kind() == Kind.ANSWER_S) {
        assertThat(full.kind()).as("after %d bytes", n).isIn(Kind.ANSWER_S, Kind.REFUSE);
      } else {
        assertThat(full).as("decided after %d bytes", n).isEqualTo(early);
      }
      return;
    }
  }
}
