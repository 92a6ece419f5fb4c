package io.pgtls.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.proxy.ProxyHeader.Kind;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import io.pgtls.internal.proxy.ProxyHeaderWriter.Checksum;
import io.pgtls.internal.proxy.ProxyHeaderWriter.Tlv;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutations of valid v1 lines and v2 headers, so that every build explores the parser's
 * edges deterministically, with or without Jazzer. A failure prints the seed and round to replay.
 */
class ProxyHeaderMutationTest {
  private static final long SEED = 0x9E0_C0DE_2025L;
  private static final int ROUNDS = 3000;

  static List<byte[]> seeds() {
    InetSocketAddress c4 = new InetSocketAddress("203.0.113.7", 51234);
    InetSocketAddress b4 = new InetSocketAddress("10.0.0.5", 6432);
    InetSocketAddress c6 = new InetSocketAddress("2001:db8::7", 40000);
    InetSocketAddress b6 = new InetSocketAddress("2001:db8::1", 5432);
    byte[] ssl = {0x05, 0, 0, 0, 0, 0x21, 0, 7, 'T', 'L', 'S', 'v', '1', '.', '3', 0x22, 0, 3, 'b', 'o', 'b'};
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(ProxyHeaderWriter.v1(c4, b4));
    seeds.add(ProxyHeaderWriter.v1(c6, b6));
    seeds.add("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n".getBytes(StandardCharsets.US_ASCII));
    seeds.add(ProxyHeaderWriter.v2(c4, b4, List.of(Tlv.of(0x05, "req-1"), new Tlv(0xEA, new byte[] {1, 'v', 'p', 'c', 'e'}),
        new Tlv(0xEE, new byte[] {1, 2, 3, 4, 5})), Checksum.CRC32C));
    seeds.add(ProxyHeaderWriter.v2(c6, b6, List.of(new Tlv(0x20, ssl), Tlv.of(0x01, "postgresql")), Checksum.NONE));
    seeds.add(ProxyHeaderWriter.v2(null, null, List.of(Tlv.of(0x02, "db.example.com")), Checksum.CRC32C));
    return seeds;
  }

  @Test
  @Timeout(120)
  void mutatedHeadersKeepEveryInvariant() {
    List<byte[]> seeds = seeds();
    Random random = new Random(SEED);
    Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);
    for (int round = 0; round < ROUNDS; round++) {
      byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
      try {
        Parse p = ProxyHeaderInvariants.checkAll(input);
        kinds.merge(p.kind(), 1, Integer::sum);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + SEED + ", round " + round + ": " + Arrays.toString(input), e);
      }
    }
    // The mutations reach every verdict: headers that still parse, refusals, and cut-short ones.
    assertThat(kinds).containsKeys(Kind.HEADER, Kind.INVALID, Kind.NEED_MORE);
  }

  @Test
  void theSeedsThemselvesAreHeaders() {
    for (byte[] seed : seeds()) {
      assertThat(ProxyHeaderInvariants.checkAll(seed).kind()).isEqualTo(Kind.HEADER);
    }
  }

  @Test
  void theFuzzSeedsOnDiskAreStillHeaders() throws Exception {
    // Written by hand (their CRC32C computed outside Java), so they also check the parser's reading.
    Path dir = Path.of(getClass().getResource(
        "ProxyHeaderFuzzTestInputs/peekIsTotalBoundedAndConsistentAcrossPrefixes").toURI());
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.collect(Collectors.toList());
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(6);
    for (Path f : files) {
      if (f.getFileName().toString().startsWith("v")) {
        assertThat(ProxyHeaderInvariants.checkAll(Files.readAllBytes(f)).kind()).as("%s", f.getFileName())
            .isEqualTo(Kind.HEADER);
      }
    }
  }

  /** One to four edits: byte changes aimed at lengths and bytes, inserts, deletes, cuts and repeats. */
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
          b[at] = (byte) "\r\n 0:.\0".charAt(random.nextInt(7));
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
