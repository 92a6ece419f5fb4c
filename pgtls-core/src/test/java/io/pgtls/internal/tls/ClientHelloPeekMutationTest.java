package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.tls.ClientHelloPeek.Reason;
import io.pgtls.internal.tls.ClientHelloPeek.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutations of real and hand-built hellos, so that every build explores the parser's edges
 * deterministically, with or without Jazzer. A failure prints the seed and iteration to replay.
 */
class ClientHelloPeekMutationTest {
  private static final long SEED = 0x5EED_C11E_4E11_0L;
  private static final int ROUNDS = 3000;
  private static final List<byte[]> seeds = new ArrayList<>();

  @BeforeAll
  static void seeds() throws Exception {
    byte[] jdk13 = JdkHellos.hello("a.db.test", "postgresql");
    byte[] jdk12 = JdkHellos.hello(new String[] {"TLSv1.2"}, List.of("b.db.test"), "postgresql");
    seeds.add(jdk13);
    seeds.add(jdk12);
    seeds.add(Records.frame(Records.unframe(jdk13), 3, 120));
    seeds.add(new ClientHelloBuilder().serverName("pg_primary").alpn("postgresql").supportedVersions(0x0304).record());
    seeds.add(Records.frame(new ClientHelloBuilder().serverName("x").padding(40).message(), 60));
  }

  @Test
  @Timeout(60)
  void mutatedHellosKeepEveryInvariant() {
    Random random = new Random(SEED);
    Map<Verdict, Integer> verdicts = new EnumMap<>(Verdict.class);
    Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
    for (int round = 0; round < ROUNDS; round++) {
      byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
      try {
        ClientHelloPeek.Result r = PeekInvariants.check(input);
        verdicts.merge(r.verdict(), 1, Integer::sum);
        if (r.verdict() == Verdict.REJECT) {
          reasons.merge(r.reason(), 1, Integer::sum);
        }
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + SEED + ", round " + round + ": " + Arrays.toString(input), e);
      }
    }
    // The mutations reach both ends: hellos that still parse and rejects of several kinds.
    assertThat(verdicts).containsKeys(Verdict.HELLO, Verdict.REJECT, Verdict.NEED_MORE);
    assertThat(reasons).containsKeys(Reason.MALFORMED, Reason.NOT_CLIENT_HELLO, Reason.NOT_HANDSHAKE);
  }

  /** One to four edits: byte changes aimed at lengths, inserts, deletes, cuts and repeats. */
  static byte[] mutate(byte[] seed, Random random) {
    byte[] b = seed.clone();
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits && b.length > 0; i++) {
      int at = random.nextInt(b.length);
      switch (random.nextInt(7)) {
        case 0:
          b[at] = (byte) random.nextInt(256);
          break;
        case 1:
          b[at] = (byte) (b[at] + (random.nextBoolean() ? 1 : -1));
          break;
        case 2:
          b[at] = (byte) (random.nextBoolean() ? 0 : 0xFF);
          break;
        case 3:
          b = splice(b, at, at, new byte[] {(byte) random.nextInt(256)});
          break;
        case 4:
          b = splice(b, at, Math.min(b.length, at + 1 + random.nextInt(8)), new byte[0]);
          break;
        case 5:
          b = Arrays.copyOf(b, at);
          break;
        default:
          int len = Math.min(b.length - at, 1 + random.nextInt(16));
          b = splice(b, at, at, Arrays.copyOfRange(b, at, at + len));
          break;
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }
}
