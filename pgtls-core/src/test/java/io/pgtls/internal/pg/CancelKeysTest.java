package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.pg.CancelKeys.Decoded;
import io.pgtls.internal.pg.CancelKeys.Minted;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CancelKeysTest {
  private static final int MAX_PID_30 = (1 << 22) - 1;

  private static byte[] secret(int seed) {
    byte[] s = new byte[32];
    new SplittableRandom(seed).nextBytes(s);
    return s;
  }

  private static byte[] bytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  private static final CancelKeys KEYS = CancelKeys.fromSecret(secret(1));
  private static final byte[] KEY4 = {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF};
  private static final byte[] KEY32 = bytes(new SplittableRandom(2), 32);

  @Test
  void protocol30RoundTripsManySeededTriplesAndTheMintedPidIsNeverNegative() {
    SplittableRandom r = new SplittableRandom(10);
    for (int i = 0; i < 3_000; i++) {
      int route = r.nextInt(512);
      int pid = r.nextInt(MAX_PID_30 + 1);
      byte[] key = bytes(r, 4);
      Minted m = KEYS.mint(route, pid, key);
      assertThat(m.kind()).isEqualTo(Minted.Kind.PERMUTED);
      assertThat(m.pid()).isNotNegative();
      assertThat(m.key()).hasSize(4);
      assertThat(KEYS.open(m.pid(), m.key())).contains(new Decoded(route, pid, key));
    }
  }

  @Test
  void protocol30EdgesOfEveryFieldRoundTripWithAPositivePid() {
    byte[] ones = {-1, -1, -1, -1};
    for (int route : new int[] {0, 511}) {
      for (int pid : new int[] {0, 1, MAX_PID_30}) {
        for (byte[] key : new byte[][] {new byte[4], ones}) {
          Minted m = KEYS.mint(route, pid, key);
          assertThat(m.pid()).isNotNegative();
          assertThat(KEYS.open(m.pid(), m.key())).contains(new Decoded(route, pid, key));
        }
      }
    }
  }

  @Test
  void protocol32RoundTripsManySeededTriplesAndKeepsTheRealPid() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 1_000; i++) {
      int route = r.nextInt(65_536);
      int pid = r.nextInt(1, Integer.MAX_VALUE);
      byte[] key = bytes(r, r.nextInt(5, 222));
      Minted m = KEYS.mint(route, pid, key);
      assertThat(m.kind()).isEqualTo(Minted.Kind.SEALED);
      assertThat(m.pid()).isEqualTo(pid);
      assertThat(m.key()).hasSize(35 + key.length);
      assertThat(KEYS.open(m.pid(), m.key())).contains(new Decoded(route, pid, key));
    }
  }

  @Test
  void postgres18ThirtyTwoByteKeyBecomesSixtySevenBytes() {
    assertThat(KEYS.mint(3, 4242, KEY32).key()).hasSize(67);
  }

  @Test
  void twoSecretsMintDifferentPairsAndCannotOpenEachOthersLongKeys() {
    CancelKeys other = CancelKeys.fromSecret(secret(99));
    Minted a = KEYS.mint(7, 1234, KEY32);
    Minted b = other.mint(7, 1234, KEY32);
    assertThat(a.key()).isNotEqualTo(b.key());
    assertThat(other.open(a.pid(), a.key())).isEmpty();
    assertThat(KEYS.open(b.pid(), b.key())).isEmpty();
  }

  @Test
  void anotherSecretOpensAShortPairToSomeOtherTripleNeverTheOriginal() {
    CancelKeys other = CancelKeys.fromSecret(secret(99));
    SplittableRandom r = new SplittableRandom(12);
    for (int i = 0; i < 200; i++) {
      Decoded original = new Decoded(r.nextInt(512), r.nextInt(MAX_PID_30 + 1), bytes(r, 4));
      Minted a = KEYS.mint(original.routeId(), original.backendPid(), original.backendKey());
      Minted b = other.mint(original.routeId(), original.backendPid(), original.backendKey());
      assertThat(b).isNotEqualTo(a);
      Optional<Decoded> wrong = other.open(a.pid(), a.key());
      assertThat(wrong).isPresent();
      assertThat(wrong.get()).isNotEqualTo(original);
    }
  }

  @Test
  void aFlippedBitAnywhereInALongKeyIsRejected() {
    Minted m = KEYS.mint(5, 4242, KEY32);
    byte[] key = m.key();
    for (int bit = 0; bit < key.length * 8; bit++) {
      byte[] tampered = key.clone();
      tampered[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(KEYS.open(m.pid(), tampered)).as("bit %d", bit).isEmpty();
    }
  }

  @Test
  void aLongKeyPresentedWithAnotherPidIsRejectedBecauseThePidIsAuthenticated() {
    Minted m = KEYS.mint(5, 4242, KEY32);
    assertThat(KEYS.open(4243, m.key())).isEmpty();
  }

  @Test
  void truncatedExtendedOrGarbageLongKeysAreRejected() {
    byte[] key = KEYS.mint(5, 4242, KEY32).key();
    assertThat(KEYS.open(4242, Arrays.copyOf(key, key.length - 1))).isEmpty();
    assertThat(KEYS.open(4242, Arrays.copyOf(key, key.length + 1))).isEmpty();
    SplittableRandom r = new SplittableRandom(13);
    for (int n : new int[] {1, 2, 3, 5, 34, 35, 67, 256, 257}) {
      assertThat(KEYS.open(4242, bytes(r, n))).as("%d bytes", n).isEmpty();
    }
    assertThat(KEYS.open(4242, new byte[0])).isEmpty();
  }

  @Test
  void aNegativeShortPidWasNeverMinted() {
    assertThat(KEYS.open(-1, KEY4)).isEmpty();
    assertThat(KEYS.open(Integer.MIN_VALUE, KEY4)).isEmpty();
  }

  @Test
  void protocol30MintingIsDeterministicUnderOneSecret() {
    assertThat(KEYS.mint(9, 31337, KEY4)).isEqualTo(KEYS.mint(9, 31337, KEY4));
    assertThat(CancelKeys.fromSecret(secret(1)).mint(9, 31337, KEY4))
        .isEqualTo(KEYS.mint(9, 31337, KEY4));
  }

  @Test
  void replicaBOpensWhatReplicaAMintedFromTheSameSecretBytesForBothProtocols() {
    byte[] shared = secret(42);
    CancelKeys replicaA = CancelKeys.fromSecret(shared);
    CancelKeys replicaB = CancelKeys.fromSecret(shared.clone());
    Minted short30 = replicaA.mint(17, 99_999, KEY4);
    Minted long32 = replicaA.mint(17, 99_999, KEY32);
    assertThat(replicaB.open(short30.pid(), short30.key()))
        .contains(new Decoded(17, 99_999, KEY4));
    assertThat(replicaB.open(long32.pid(), long32.key())).contains(new Decoded(17, 99_999, KEY32));
  }

  @Test
  void theSecretArrayIsNotKeptSoOverwritingItLaterChangesNothing() {
    byte[] s = secret(43);
    CancelKeys keys = CancelKeys.fromSecret(s);
    Minted m = keys.mint(1, 2, KEY32);
    Arrays.fill(s, (byte) 0);
    assertThat(keys.open(m.pid(), m.key())).contains(new Decoded(1, 2, KEY32));
  }

  @Test
  void protocol32MintingDrawsAFreshNonceEachTime() {
    Minted a = KEYS.mint(1, 2, KEY32);
    Minted b = KEYS.mint(1, 2, KEY32);
    assertThat(a.key()).isNotEqualTo(b.key());
    assertThat(KEYS.open(b.pid(), b.key())).isEqualTo(KEYS.open(a.pid(), a.key()));
  }

  @Test
  void routeId511IsEncodableAnd512IsPassedThroughUnderProtocol30() {
    assertThat(KEYS.mint(511, 100, KEY4).kind()).isEqualTo(Minted.Kind.PERMUTED);
    Minted m = KEYS.mint(512, 100, KEY4);
    assertThat(m.passedThrough()).isTrue();
    assertThat(m.pid()).isEqualTo(100);
    assertThat(m.key()).isEqualTo(KEY4);
  }

  @Test
  void routeId512IsSealedUnderProtocol32And65536IsPassedThrough() {
    Minted m = KEYS.mint(65_535, 100, KEY32);
    assertThat(KEYS.open(m.pid(), m.key())).contains(new Decoded(65_535, 100, KEY32));
    assertThat(KEYS.mint(512, 100, KEY32).kind()).isEqualTo(Minted.Kind.SEALED);
    assertThat(KEYS.mint(65_536, 100, KEY32).passedThrough()).isTrue();
  }

  @Test
  void pid2To22Minus1IsEncodableAnd2To22IsPassedThroughUnderProtocol30() {
    Minted ok = KEYS.mint(1, (1 << 22) - 1, KEY4);
    assertThat(ok.kind()).isEqualTo(Minted.Kind.PERMUTED);
    assertThat(KEYS.open(ok.pid(), ok.key())).contains(new Decoded(1, (1 << 22) - 1, KEY4));
    Minted big = KEYS.mint(1, 1 << 22, KEY4);
    assertThat(big.passedThrough()).isTrue();
    assertThat(big.pid()).isEqualTo(1 << 22);
    assertThat(KEYS.mint(1, -5, KEY4).passedThrough()).isTrue();
  }

  @Test
  void pidsAbove2To22AreFineUnderProtocol32() {
    Minted m = KEYS.mint(1, Integer.MAX_VALUE, KEY32);
    assertThat(KEYS.open(m.pid(), m.key())).contains(new Decoded(1, Integer.MAX_VALUE, KEY32));
  }

  @Test
  void backendKeyOf221BytesFillsAll256And222IsPassedThrough() {
    SplittableRandom r = new SplittableRandom(14);
    byte[] k221 = bytes(r, 221);
    Minted m = KEYS.mint(2, 3, k221);
    assertThat(m.key()).hasSize(256);
    assertThat(KEYS.open(m.pid(), m.key())).contains(new Decoded(2, 3, k221));
    byte[] k222 = bytes(r, 222);
    Minted p = KEYS.mint(2, 3, k222);
    assertThat(p.passedThrough()).isTrue();
    assertThat(p.key()).isEqualTo(k222);
  }

  @Test
  void keysShorterThanFourBytesArePassedThroughNotSealed() {
    for (int n = 0; n < 4; n++) {
      assertThat(KEYS.mint(1, 2, new byte[n]).passedThrough()).as("%d bytes", n).isTrue();
    }
  }

  @Test
  void aPassedThroughShortPairStillOpensToSomethingSoTheCallerMustCheckItsMapFirst() {
    Minted p = KEYS.mint(600, 100, KEY4);
    assertThat(KEYS.open(p.pid(), p.key()))
        .isPresent()
        .get()
        .isNotEqualTo(new Decoded(600, 100, KEY4));
  }

  @Test
  void secretShorterThan32BytesIsRefusedWithAClearMessage() {
    assertThatThrownBy(() -> CancelKeys.fromSecret(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32 bytes")
        .hasMessageContaining("got 31 bytes");
    assertThat(CancelKeys.fromSecret(new byte[64]).mint(1, 2, KEY4).pid()).isNotNegative();
  }

  @Test
  void aNegativeRouteIdIsACallerBug() {
    assertThatThrownBy(() -> KEYS.mint(-1, 2, KEY4)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomKeysOfTwoProcessesDoNotOpenEachOthersLongKeys() {
    CancelKeys a = CancelKeys.random();
    Minted m = a.mint(1, 2, KEY32);
    assertThat(a.open(m.pid(), m.key())).contains(new Decoded(1, 2, KEY32));
    assertThat(CancelKeys.random().open(m.pid(), m.key())).isEmpty();
  }

  @Test
  void protocol30PermutationHasNoCollisionsAmong100000SeededInputs() {
    SplittableRandom r = new SplittableRandom(15);
    Set<Long> inputs = new HashSet<>();
    Set<Long> outputs = new HashSet<>();
    while (inputs.size() < 100_000) {
      int route = r.nextInt(512);
      int pid = r.nextInt(MAX_PID_30 + 1);
      int key = r.nextInt();
      if (!inputs.add(((long) route << 54) | ((long) pid << 32) | (key & 0xFFFF_FFFFL))) {
        continue;
      }
      byte[] keyBytes = {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key};
      Minted m = KEYS.mint(route, pid, keyBytes);
      byte[] k = m.key();
      long pair =
          ((long) m.pid() << 32)
              | ((k[0] & 0xFFL) << 24)
              | ((k[1] & 0xFFL) << 16)
              | ((k[2] & 0xFFL) << 8)
              | (k[3] & 0xFFL);
      assertThat(outputs.add(pair)).isTrue();
    }
  }

  @Test
  void aGuessedShortPairNamesEachOfThe512RouteIdsAboutEquallyOften() {
    // 100 configured routes of 512: a blind guess should reach one about 100/512 of the time.
    SplittableRandom r = new SplittableRandom(16);
    int hits = 0;
    for (int i = 0; i < 5_120; i++) {
      Decoded d = KEYS.open(r.nextInt() >>> 1, bytes(r, 4)).orElseThrow();
      if (d.routeId() < 100) {
        hits++;
      }
    }
    assertThat(hits).isBetween(850, 1150);
  }

  @Test
  void oneInstanceMintsAndOpensFromManyThreadsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        results.add(
            pool.submit(
                () -> {
                  SplittableRandom r = new SplittableRandom(100 + seed);
                  for (int i = 0; i < 300; i++) {
                    byte[] key = bytes(r, i % 2 == 0 ? 4 : 32);
                    Decoded d = new Decoded(r.nextInt(512), r.nextInt(MAX_PID_30 + 1), key);
                    Minted m = KEYS.mint(d.routeId(), d.backendPid(), key);
                    if (!KEYS.open(m.pid(), m.key()).equals(Optional.of(d))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void toStringDoesNotPrintKeyBytes() {
    assertThat(KEYS.mint(1, 2, KEY4).toString())
        .matches("Minted\\[PERMUTED, pid=\\d+, key=4 bytes]");
    assertThat(new Decoded(1, 2, KEY4).toString())
        .isEqualTo("Decoded[route=1, pid=2, key=4 bytes]");
  }
}
