package io.pgtls.internal.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.route.ServerNames.Kind;
import io.pgtls.internal.route.ServerNames.Match;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerNamesTest {
  /** Every kind of route; the wildcard comes before the exact name it covers. */
  private static final ServerNames<String> ALL = ServerNames.<String>builder()
      .add("tenants", List.of("*.tenants.example.com"))
      .add("a", List.of("a.db.test", "pg_primary", "proj_db_1"))
      .add("x", List.of("x.tenants.example.com"))
      .add("none", List.of("no_sni"))
      .add("default", List.of())
      .build();

  /** Named routes only: neither a no-name nor a default route. */
  private static final ServerNames<String> STRICT = ServerNames.<String>builder()
      .add("tenants", List.of("*.tenants.example.com"))
      .add("a", List.of("a.db.test"))
      .build();

  private static void assertMatch(ServerNames<String> names, String sent, String route, Kind kind) {
    assertThat(names.match(sent)).as("match(%s)", sent).contains(new Match<>(route, kind));
  }

  private static void assertNoMatch(ServerNames<String> names, String sent) {
    assertThat(names.match(sent)).as("match(%s)", sent).isEmpty();
  }

  @Test
  void exactBeatsWildcardWhateverTheOrderOfTheRoutes() {
    assertMatch(ALL, "x.tenants.example.com", "x", Kind.EXACT);
    assertMatch(ALL, "y.tenants.example.com", "tenants", Kind.WILDCARD);
  }

  @Test
  void wildcardMatchesExactlyOneLabel() {
    assertMatch(STRICT, "x.tenants.example.com", "tenants", Kind.WILDCARD);
    assertNoMatch(STRICT, "x.y.tenants.example.com");
    assertNoMatch(STRICT, "tenants.example.com");
  }

  @Test
  void wildcardDoesNotMatchAnEmptyOrStarFirstLabel() {
    assertNoMatch(STRICT, ".tenants.example.com");
    assertNoMatch(STRICT, "*.tenants.example.com");
  }

  @Test
  void namesTooDeepForTheWildcardFallToTheDefault() {
    assertMatch(ALL, "x.y.tenants.example.com", "default", Kind.DEFAULT);
    assertMatch(ALL, "tenants.example.com", "default", Kind.DEFAULT);
  }

  @Test
  void caseIsIgnoredForAsciiLetters() {
    assertMatch(ALL, "A.DB.TEST", "a", Kind.EXACT);
    assertMatch(ALL, "Y.Tenants.Example.COM", "tenants", Kind.WILDCARD);
    ServerNames<String> upperPattern = ServerNames.<String>builder().add("p", List.of("PG_Primary")).build();
    assertMatch(upperPattern, "pg_primary", "p", Kind.EXACT);
  }

  @Test
  void kelvinSignIsNotTheLetterK() {
    // U+212A lower-cases to 'k' under String.toLowerCase and equalsIgnoreCase; SNI is ASCII.
    ServerNames<String> k = ServerNames.<String>builder().add("k", List.of("k.db.test")).build();
    assertNoMatch(k, "\u212A.db.test");
    assertNoMatch(k, "\u212a.DB.TEST");
  }

  @Test
  void oneTrailingDotIsIgnored() {
    assertMatch(ALL, "a.db.test.", "a", Kind.EXACT);
    assertMatch(ALL, "y.tenants.example.com.", "tenants", Kind.WILDCARD);
    ServerNames<String> dotted = ServerNames.<String>builder().add("b", List.of("b.db.test.")).build();
    assertMatch(dotted, "b.db.test", "b", Kind.EXACT);
    assertMatch(dotted, "b.db.test.", "b", Kind.EXACT);
  }

  @Test
  void twoTrailingDotsAreAnUnknownName() {
    assertMatch(ALL, "a.db.test..", "default", Kind.DEFAULT);
    assertNoMatch(STRICT, "a.db.test..");
  }

  @Test
  void underscoreNamesMatchExactlyAndUnderAWildcard() {
    assertMatch(ALL, "pg_primary", "a", Kind.EXACT);
    assertMatch(ALL, "proj_db_1", "a", Kind.EXACT);
    assertMatch(ALL, "x_1.tenants.example.com", "tenants", Kind.WILDCARD);
  }

  @Test
  void noNameTakesTheNoNameRoute() {
    assertMatch(ALL, null, "none", Kind.NO_NAME);
    assertMatch(ALL, "", "none", Kind.NO_NAME);
    assertMatch(ALL, ".", "none", Kind.NO_NAME);
  }

  @Test
  void ipLiteralsCountAsNoName() {
    for (String ip : List.of("127.0.0.1", "127.0.0.1.", "10.1.2.3", "::1", "[::1]", "2001:DB8::1", "fe80::1%eth0",
        "::ffff:192.0.2.1")) {
      assertMatch(ALL, ip, "none", Kind.NO_NAME);
    }
  }

  @Test
  void unknownNameWithoutDefaultMatchesNothing() {
    assertNoMatch(STRICT, "b.db.test");
  }

  @Test
  void unknownNameWithDefaultTakesTheDefault() {
    assertMatch(ALL, "b.db.test", "default", Kind.DEFAULT);
  }

  @Test
  void noNameRouteIsNotAFallbackForUnknownNames() {
    ServerNames<String> names = ServerNames.<String>builder()
        .add("a", List.of("a.db.test"))
        .add("none", List.of("no_sni"))
        .build();
    assertNoMatch(names, "b.db.test");
    assertNoMatch(names, "a.db.test..");
    assertMatch(names, null, "none", Kind.NO_NAME);
  }

  @Test
  void noNameWithoutNoNameOrDefaultRouteMatchesNothing() {
    assertNoMatch(STRICT, null);
    assertNoMatch(STRICT, "");
    assertNoMatch(STRICT, "127.0.0.1");
  }

  @Test
  void noNameWithoutNoNameRouteTakesTheDefault() {
    ServerNames<String> names = ServerNames.<String>builder()
        .add("a", List.of("a.db.test"))
        .add("default", List.of())
        .build();
    assertMatch(names, null, "default", Kind.DEFAULT);
    assertMatch(names, "::1", "default", Kind.DEFAULT);
  }

  @Test
  void oneRouteMayServeNamesAndNoName() {
    ServerNames<String> names = ServerNames.<String>builder().add("a", List.of("a.db.test", "no_sni")).build();
    assertMatch(names, "a.db.test", "a", Kind.EXACT);
    assertMatch(names, null, "a", Kind.NO_NAME);
    assertNoMatch(names, "b.db.test");
  }

  @Test
  void defaultOnlyListenerTakesEveryClientAsDefault() {
    ServerNames<String> today = ServerNames.<String>builder().add("only", List.of()).build();
    assertThat(today.routesByName()).isFalse();
    assertThat(today.isEmpty()).isFalse();
    for (String sent : new String[] {null, "", "a.db.test", "A.DB.TEST.", "127.0.0.1", "::1", "pg_primary",
        "x.y..z", "\u0000", "caf\u00e9.test"}) {
      assertMatch(today, sent, "only", Kind.DEFAULT);
    }
  }

  @Test
  void noNameRouteAloneStillRoutesByName() {
    // A client that sends a name must be refused, so the ClientHello has to be read.
    ServerNames<String> names = ServerNames.<String>builder().add("none", List.of("no_sni")).build();
    assertThat(names.routesByName()).isTrue();
    assertNoMatch(names, "a.db.test");
  }

  @Test
  void namedRoutesRouteByName() {
    assertThat(ALL.routesByName()).isTrue();
    assertThat(STRICT.routesByName()).isTrue();
    assertThat(ALL.isEmpty()).isFalse();
  }

  @Test
  void noRoutesMatchNothing() {
    ServerNames<String> empty = ServerNames.<String>builder().build();
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.routesByName()).isFalse();
    assertNoMatch(empty, null);
    assertNoMatch(empty, "a.db.test");
  }

  @Test
  void describeListsPatternsInMatchingOrder() {
    assertThat(ALL.describe()).containsExactly(
        "exact    a.db.test -> a",
        "exact    pg_primary -> a",
        "exact    proj_db_1 -> a",
        "exact    x.tenants.example.com -> x",
        "wildcard *.tenants.example.com -> tenants",
        "no_sni   (no server name, or an IP address) -> none",
        "default  (any other server name) -> default");
    assertThat(STRICT.describe()).containsExactly(
        "exact    a.db.test -> a",
        "wildcard *.tenants.example.com -> tenants",
        "refuse   (any other server name, or none) -> unrecognized_name alert");
  }

  @Test
  void describeShowsNormalisedNames() {
    ServerNames<String> names = ServerNames.<String>builder().add("b", List.of("B.DB.Test.", "*.T.Test")).build();
    assertThat(names.describe()).startsWith("exact    b.db.test -> b", "wildcard *.t.test -> b");
  }

  @Test
  void kindLabelsAreLowerCaseAndNoNameUsesTheKeyword() {
    assertThat(List.of(Kind.values())).extracting(k -> k.label)
        .containsExactly("exact", "wildcard", "no_sni", "default");
  }

  @Test
  void matchIsAnOptionalOfRouteAndKind() {
    Optional<Match<String>> m = ALL.match("a.db.test");
    assertThat(m).hasValueSatisfying(match -> {
      assertThat(match.route()).isEqualTo("a");
      assertThat(match.kind()).isEqualTo(Kind.EXACT);
    });
  }
}
