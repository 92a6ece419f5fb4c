package io.pgtls.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.route.ServerNames.Kind;
import io.pgtls.internal.route.ServerNames.Match;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerNamesBuilderTest {
  private static void assertRejected(ServerNamesBuilder<String> builder, String message) {
    assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  /** Route 'ok' is valid; route 'bad' names {@code pattern}, which must be refused for {@code why}. */
  private static void assertMalformed(String pattern, String why) {
    ServerNamesBuilder<String> builder = ServerNames.<String>builder()
        .add("ok", List.of("a.db.test"))
        .add("bad", List.of("b.db.test", pattern));
    assertRejected(builder, "route 'bad': server name '" + pattern + "' is malformed: " + why);
  }

  private static void assertAccepted(String pattern) {
    ServerNames.<String>builder().add("r", List.of(pattern)).build();
  }

  private static String repeat(char c, int n) {
    char[] chars = new char[n];
    Arrays.fill(chars, c);
    return new String(chars);
  }

  @Test
  void twoDefaultRoutes() {
    assertRejected(ServerNames.<String>builder().add("a", List.of()).add("n", List.of("no_sni")).add("b", List.of()),
        "routes 'a' and 'b' are both default routes (they name no server names); a listener has at most one");
  }

  @Test
  void twoNoNameRoutes() {
    assertRejected(ServerNames.<String>builder().add("a", List.of("a.db.test", "no_sni")).add("b", List.of("no_sni")),
        "routes 'a' and 'b' both name no_sni; a listener has at most one route for clients that send no server name");
  }

  @Test
  void noNameTwiceInOneRoute() {
    assertRejected(ServerNames.<String>builder().add("a", List.of("no_sni", "no_sni")), "route 'a' names no_sni twice");
  }

  @Test
  void sameExactNameInTwoRoutes() {
    assertRejected(ServerNames.<String>builder().add("a", List.of("a.db.test")).add("b", List.of("a.db.test")),
        "routes 'a' and 'b' both name server name 'a.db.test'; a name may lead to one route only");
  }

  @Test
  void sameExactNameInTwoRoutesAfterCaseAndTrailingDot() {
    assertRejected(ServerNames.<String>builder().add("a", List.of("a.db.test")).add("b", List.of("A.DB.Test.")),
        "routes 'a' and 'b' both name server name 'a.db.test' (written 'a.db.test' and 'A.DB.Test.');"
            + " a name may lead to one route only");
  }

  @Test
  void sameExactNameTwiceInOneRoute() {
    assertRejected(ServerNames.<String>builder().add("a", List.of("a.db.test", "a.db.test.")),
        "route 'a' names server name 'a.db.test' twice (written 'a.db.test' and 'a.db.test.')");
  }

  @Test
  void sameWildcardInTwoRoutes() {
    assertRejected(ServerNames.<String>builder()
            .add("t", List.of("*.tenants.example.com"))
            .add("u", List.of("*.Tenants.Example.com")),
        "routes 't' and 'u' both name wildcard '*.tenants.example.com' (written '*.tenants.example.com' and"
            + " '*.Tenants.Example.com'); a name may lead to one route only");
  }

  @Test
  void exactNameUnderAWildcardAndNestedWildcardsDoNotOverlap() {
    ServerNames<String> names = ServerNames.<String>builder()
        .add("x", List.of("x.tenants.example.com"))
        .add("t", List.of("*.tenants.example.com"))
        .add("e", List.of("*.example.com"))
        .build();
    assertThat(names.match("tenants.example.com")).contains(new Match<>("e", Kind.WILDCARD));
    assertThat(names.match("y.tenants.example.com")).contains(new Match<>("t", Kind.WILDCARD));
  }

  @Test
  void emptyPattern() {
    assertMalformed("", "it is empty");
    assertMalformed(".", "it is empty");
  }

  @Test
  void starAlone() {
    assertMalformed("*", "a wildcard needs a domain after it, as in '*.example.com'");
    assertMalformed("*.", "a wildcard needs a domain after it, as in '*.example.com'");
  }

  @Test
  void wildcardOutsideTheFirstLabel() {
    assertMalformed("a.*.b", "a wildcard must be the whole first label, as in '*.example.com'");
    assertMalformed("db.example.*", "a wildcard must be the whole first label, as in '*.example.com'");
    assertMalformed("*.*.example.com", "a wildcard must be the whole first label, as in '*.example.com'");
  }

  @Test
  void partialWildcardLabel() {
    assertMalformed("*x.example.com", "a wildcard must be the whole first label, as in '*.example.com'");
    assertMalformed("x*.example.com", "a wildcard must be the whole first label, as in '*.example.com'");
    assertMalformed("**.example.com", "a wildcard must be the whole first label, as in '*.example.com'");
  }

  @Test
  void ipLiteralPatternBecauseClientsSendNoNameForIps() {
    String why = "it is an IP address, and clients send no server name when they connect to an IP address;"
        + " name no_sni to route them";
    assertMalformed("127.0.0.1", why);
    assertMalformed("::1", why);
    assertMalformed("[::1]", why);
    assertMalformed("2001:db8::1", why);
    assertMalformed("*.0.0.1", "a wildcard must stand before a domain, not an IP address");
  }

  @Test
  void charactersAHostNameCannotCarry() {
    assertMalformed("a b.test", "it contains ' '; a host name has letters, digits, '-', '_' and dots");
    assertMalformed("a/b.test", "it contains '/'; a host name has letters, digits, '-', '_' and dots");
    assertMalformed("a\u0000.test", "it contains U+0000; a host name has letters, digits, '-', '_' and dots");
    assertMalformed("caf\u00e9.test", "it contains U+00E9; a host name has letters, digits, '-', '_' and dots");
    assertMalformed("\u212A.test", "it contains U+212A; a host name has letters, digits, '-', '_' and dots");
  }

  @Test
  void emptyLabel() {
    assertMalformed("a..b", "it has an empty label");
    assertMalformed(".a.db.test", "it has an empty label");
    assertMalformed("a.db.test..", "it has an empty label");
    assertMalformed("*..example.com", "it has an empty label");
  }

  @Test
  void labelOver63Characters() {
    assertAccepted(repeat('a', 63) + ".test");
    assertMalformed(repeat('a', 64) + ".test", "it has a label of 64 characters; a label has at most 63");
    assertMalformed("*." + repeat('b', 64) + ".test", "it has a label of 64 characters; a label has at most 63");
  }

  @Test
  void nameOver253Characters() {
    String label = repeat('a', 63);
    String name253 = label + "." + label + "." + label + "." + repeat('b', 61);
    assertThat(name253).hasSize(253);
    assertAccepted(name253);
    assertAccepted(name253 + ".");
    assertMalformed(name253 + "b", "it has 254 characters; a host name has at most 253");
    assertMalformed("*." + name253, "it has 255 characters; a host name has at most 253");
  }

  @Test
  void keywordNotInLowerCase() {
    assertMalformed("NO_SNI", "write the keyword no_sni in lower case without a dot");
    assertMalformed("no_sni.", "write the keyword no_sni in lower case without a dot");
  }

  @Test
  void namesPostgresqlAccepts() {
    for (String name : List.of("pg_primary", "proj_db_1", "db", "localhost", "db.example.com.", "xn--caf-dma.test",
        "-odd-.example.com", "*.tenants.example.com", "*.x_1.example.com", "*.com", "db.123")) {
      assertAccepted(name);
    }
  }

  @Test
  void nullPattern() {
    assertRejected(ServerNames.<String>builder().add("a", Arrays.asList("a.db.test", null)),
        "route 'a': a server name is null");
  }

  @Test
  void nullRoute() {
    assertThatNullPointerException().isThrownBy(() -> ServerNames.<String>builder().add(null, List.of()));
  }

  @Test
  void builderChecksOnBuildNotOnAdd() {
    ServerNamesBuilder<String> builder = ServerNames.<String>builder().add("a", List.of("a..b"));
    assertThatThrownBy(builder::build).hasMessageStartingWith("route 'a': ");
  }

  @Test
  void laterAddsDoNotChangeABuiltMatcher() {
    ServerNamesBuilder<String> builder = ServerNames.<String>builder().add("a", List.of("a.db.test"));
    ServerNames<String> names = builder.build();
    builder.add("d", List.of());
    assertThat(names.match("b.db.test")).isEmpty();
  }
}
