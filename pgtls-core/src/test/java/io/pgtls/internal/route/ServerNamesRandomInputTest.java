package io.pgtls.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.pgtls.internal.route.ServerNames.Kind;
import io.pgtls.internal.route.ServerNames.Match;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random names: matching is total (never throws) and keeps its promises on anything a
 * ClientHello or a configuration could carry.
 */
class ServerNamesRandomInputTest {
  private static final long SEED = 0x5e4e_a3e5L;
  private static final int ROUNDS = 5_000;

  /** Host-name characters, the characters that delimit names and IPs, and a few that break parsers. */
  private static final String ALPHABET = "aAbBzZ09_-.*:[]%/ \t\r\n\u0000\u007f\u00e9\u00c9\u0130\u0131\u017f\u212a"
      + "\ud83d\ude00\ud800\udfff\uffff";

  private static final List<String> SEEDS = List.of("a.db.test", "x.tenants.example.com", "pg_primary", "127.0.0.1",
      "::1", "[::1]", "no_sni", "*.tenants.example.com", "");

  private static final ServerNames<String> WITH_DEFAULT = ServerNames.<String>builder()
      .add("tenants", List.of("*.tenants.example.com"))
      .add("a", List.of("a.db.test", "pg_primary"))
      .add("none", List.of("no_sni"))
      .add("default", List.of())
      .build();

  private static final ServerNames<String> STRICT = ServerNames.<String>builder()
      .add("tenants", List.of("*.tenants.example.com"))
      .add("a", List.of("a.db.test", "pg_primary"))
      .build();

  private static String randomName(Random random) {
    if (random.nextInt(4) == 0) {
      return mutate(random, SEEDS.get(random.nextInt(SEEDS.size())));
    }
    int length = random.nextInt(200) == 0 ? 1_000 + random.nextInt(20_000) : random.nextInt(300);
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(random.nextInt(8) == 0 ? (char) random.nextInt(0x10000) : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  private static String mutate(Random random, String seed) {
    StringBuilder s = new StringBuilder(seed);
    for (int n = random.nextInt(3); n >= 0; n--) {
      int at = s.length() == 0 ? 0 : random.nextInt(s.length());
      char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
      switch (random.nextInt(3)) {
        case 0 -> s.insert(at, c);
        case 1 -> {
          if (s.length() > 0) {
            s.deleteCharAt(at);
          }
        }
        default -> {
          if (s.length() > 0) {
            s.setCharAt(at, c);
          }
        }
      }
    }
    return s.toString();
  }

  private static String asciiUpperCase(String s) {
    StringBuilder b = new StringBuilder(s);
    for (int i = 0; i < b.length(); i++) {
      char c = b.charAt(i);
      if (c >= 'a' && c <= 'z') {
        b.setCharAt(i, (char) (c - ('a' - 'A')));
      }
    }
    return b.toString();
  }

  @Test
  void matchIsTotalAndIgnoresAsciiCaseOnRandomNames() {
    Random random = new Random(SEED);
    for (int round = 0; round < ROUNDS; round++) {
      String sent = randomName(random);
      Optional<Match<String>> withDefault = WITH_DEFAULT.match(sent);
      Optional<Match<String>> strict = STRICT.match(sent);
      assertThat(withDefault).as("seed %s round %s", SEED, round).isPresent();
      assertThat(strict.map(Match::kind).orElse(Kind.EXACT)).as("seed %s round %s", SEED, round)
          .isIn(Kind.EXACT, Kind.WILDCARD);
      assertThat(WITH_DEFAULT.match(asciiUpperCase(sent))).as("seed %s round %s", SEED, round).isEqualTo(withDefault);
    }
  }

  @Test
  void veryLongNamesMatchLikeShortOnes() {
    String labels = "x.".repeat(100_000);
    assertThat(WITH_DEFAULT.match(labels + "tenants.example.com")).contains(new Match<>("default", Kind.DEFAULT));
    assertThat(WITH_DEFAULT.match("x".repeat(100_000) + ".tenants.example.com"))
        .contains(new Match<>("default", Kind.DEFAULT));
    assertThat(WITH_DEFAULT.match("1.".repeat(100_000))).contains(new Match<>("none", Kind.NO_NAME));
    assertThat(STRICT.match("a.db.test" + ".".repeat(100_000))).isEmpty();
  }

  @Test
  void buildRefusesBadPatternsOnlyWithIllegalArgumentException() {
    Random random = new Random(SEED);
    for (int round = 0; round < ROUNDS; round++) {
      String pattern = randomName(random);
      assertThatCode(() -> {
        try {
          ServerNames.<String>builder().add("r", List.of(pattern)).build();
        } catch (IllegalArgumentException expected) {
          assertThat(expected.getMessage()).startsWith("route 'r': ");
        }
      }).as("seed %s round %s", SEED, round).doesNotThrowAnyException();
    }
  }

  @Test
  void everyAcceptedExactNameMatchesItself() {
    Random random = new Random(SEED);
    for (int round = 0; round < ROUNDS; round++) {
      String pattern = mutate(random, SEEDS.get(random.nextInt(SEEDS.size())));
      ServerNames<String> names;
      try {
        names = ServerNames.<String>builder().add("r", List.of(pattern)).build();
      } catch (IllegalArgumentException refused) {
        continue;
      }
      if (!pattern.startsWith("*.") && !pattern.equals("no_sni")) {
        assertThat(names.match(pattern)).as("seed %s round %s: %s", SEED, round, pattern)
            .contains(new Match<>("r", Kind.EXACT));
      }
    }
  }
}
