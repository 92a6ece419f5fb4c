package io.pgtls.internal.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.identity.IdentMap.Match;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentMapTest {

  private static IdentMap certs(String... lines) {
    return IdentMap.parse(List.of(lines), IdentMap.MAP_LINES, "certs");
  }

  private static IdentMapException refusal(String... lines) {
    return failure(() -> certs(lines));
  }

  private static IdentMapException failure(Runnable parse) {
    try {
      parse.run();
    } catch (IdentMapException e) {
      return e;
    }
    throw new AssertionError("no IdentMapException");
  }

  private static boolean pairs(IdentMap map, String identity, String user) {
    return map.match(identity, user).isPresent();
  }

  @Test
  void regexMapsAliceAtExampleComToAliceButNotAliceAtEvilCom() {
    IdentMap map = certs("certs /^(.*)@example\\.com$ \\1");

    assertThat(map.match("alice@example.com", "alice"))
        .contains(new Match("map_lines", 1, "certs /^(.*)@example\\.com$ \\1"));
    assertThat(pairs(map, "alice@evil.com", "alice")).isFalse();
    assertThat(pairs(map, "alice@example.com", "bob")).isFalse();
    assertThat(pairs(map, "alice@example.com.evil.com", "alice")).isFalse();
  }

  @Test
  void anUnanchoredRegexMatchesInsideTheNameAsInPostgres() {
    IdentMap map = certs("certs /(.*)@example\\.com \\1");

    // The documented pitfall: without ^...$ a name that merely contains the pattern matches.
    assertThat(pairs(map, "alice@example.com.evil.com", "alice")).isTrue();
  }

  @Test
  void aNameEndingInALineFeedNeverMatchesAnExpression() {
    IdentMap map = certs("certs /^(.*)@example\\.com$ \\1");

    // Java's $ matches before a final line feed, PostgreSQL's does not.
    assertThat(pairs(map, "alice@example.com\n", "alice")).isFalse();
  }

  @Test
  void dotMatchesALineFeedAsInPostgres() {
    IdentMap map = certs("certs /^a.b$ ab");

    assertThat(pairs(map, "a\nb", "ab")).isTrue();
  }

  @Test
  void caseMattersAliceIsNotAliceUpperCase() {
    IdentMap map = certs("certs Alice alice", "certs /^bob$ Bob");

    assertThat(pairs(map, "Alice", "alice")).isTrue();
    assertThat(pairs(map, "alice", "alice")).isFalse();
    assertThat(pairs(map, "Alice", "Alice")).isFalse();
    assertThat(pairs(map, "BOB", "Bob")).isFalse();
    assertThat(pairs(map, "bob", "bob")).isFalse();
  }

  @Test
  void allLetsOneIdentityUseAnyUserButQuotedAllIsALiteralUser() {
    IdentMap map = certs("certs admin-svc all", "certs reporter \"all\"");

    assertThat(pairs(map, "admin-svc", "alice")).isTrue();
    assertThat(pairs(map, "admin-svc", "postgres")).isTrue();
    assertThat(pairs(map, "reporter", "alice")).isFalse();
    assertThat(pairs(map, "reporter", "all")).isTrue();
  }

  @Test
  void theUserMustMatchARegexDatabaseUsername() {
    IdentMap map = certs("certs ci-runner /^ci_[a-z]+$", "certs \"/^deploy-(.*)$\" \"/^app_\\1$\"");

    assertThat(pairs(map, "ci-runner", "ci_build")).isTrue();
    assertThat(pairs(map, "ci-runner", "ci_Build")).isFalse();
    assertThat(pairs(map, "ci-runner", "postgres")).isFalse();
    // In a regex DATABASE-USERNAME, \1 is the regex's own backreference, never the system capture.
    assertThat(pairs(map, "deploy-web", "app_web")).isFalse();
  }

  @Test
  void aQuotedSlashStillStartsARegexAsInPostgres() {
    IdentMap map = certs("certs \"/^(.*) smith$\" \\1");

    assertThat(pairs(map, "alice smith", "alice")).isTrue();
  }

  @Test
  void backreferenceWithoutACaptureGroupIsRefusedAtParseTime() {
    IdentMapException noGroup = refusal("certs /^.*@example\\.com$ \\1");
    assertThat(noGroup.line()).isEqualTo(1);
    assertThat(noGroup.detail()).isEqualTo(
        "regular expression \"^.*@example\\.com$\" has no subexpressions as requested by backreference in \"\\1\"");

    IdentMapException literal = refusal("certs alice@example.com \\1");
    assertThat(literal.detail()).contains("\"alice@example.com\" is not a regular expression");
  }

  @Test
  void onlyTheFirstBackreferenceIsReplacedAndTheResultIsALiteral() {
    IdentMap map = certs("certs /^(.*)$ \\1_\\1", "certs /^(.*)$ \"\\1\"");

    assertThat(pairs(map, "alice", "alice_\\1")).isTrue();
    assertThat(pairs(map, "alice", "alice_alice")).isFalse();
    // A quoted \1 is replaced too; what it yields is a name, never the keyword all.
    assertThat(pairs(map, "all", "all")).isTrue();
    assertThat(pairs(map, "all", "bob")).isFalse();
  }

  @Test
  void aCaptureGroupThatTookNoPartEndsTheSearchAsInPostgres() {
    IdentMap map = certs("certs /^(a)?b$ x\\1", "certs b x");

    assertThat(pairs(map, "ab", "xa")).isTrue();
    // PostgreSQL logs an error for line 1 and stops: line 2 is never reached.
    assertThat(pairs(map, "b", "x")).isFalse();
  }

  @Test
  void plusGroupIsRefusedBecauseAProxyCannotSeeRoleMembership() {
    IdentMapException refused = refusal("certs alice +admins");
    assertThat(refused.detail()).contains("members of role \"admins\"").contains("cannot check");

    assertThat(pairs(certs("certs alice \"+admins\""), "alice", "+admins")).isTrue();
  }

  @Test
  void includeDirectivesAndFileNamesAreRefused() {
    assertThat(refusal("include other.conf").detail()).startsWith("\"include\" is not supported");
    assertThat(refusal("include_if_exists other.conf").detail()).startsWith("\"include_if_exists\" is not supported");
    assertThat(refusal("include_dir conf.d").detail()).startsWith("\"include_dir\" is not supported");
    assertThat(refusal("certs alice @users").detail()).contains("includes a file");
    // Three fields make a map line, even of a map named include, as in PostgreSQL.
    assertThat(pairs(IdentMap.parse(List.of("include alice alice"), "map_lines", "include"), "alice", "alice"))
        .isTrue();
  }

  @Test
  void anUnknownMapNameIsATypoNotAnEmptyMap() {
    IdentMapException refused = failure(
        () -> IdentMap.parse(List.of("cert alice alice", "other bob bob"), "/etc/pgtls/pg_ident.conf", "certs"));

    assertThat(refused.line()).isZero();
    assertThat(refused.getMessage()).isEqualTo(
        "/etc/pgtls/pg_ident.conf: map 'certs' has no lines (the lines here are of maps 'cert', 'other')");
    assertThat(refusal("# nothing but a comment").detail()).isEqualTo("map 'certs' has no lines");
  }

  @Test
  void errorsNameTheLine() {
    IdentMapException badRegex = failure(() -> IdentMap.parse(
        List.of("# map", "", "certs /^(alice$ alice"), "/etc/pgtls/pg_ident.conf", "certs"));
    assertThat(badRegex.origin()).isEqualTo("/etc/pgtls/pg_ident.conf");
    assertThat(badRegex.line()).isEqualTo(3);
    assertThat(badRegex.getMessage())
        .startsWith("/etc/pgtls/pg_ident.conf:3: invalid regular expression \"^(alice$\": Unclosed group");

    assertThat(refusal("certs alice alice", "certs alice").getMessage())
        .isEqualTo("map_lines:2: expected 3 fields, MAPNAME SYSTEM-USERNAME DATABASE-USERNAME, but found 2");
    assertThat(refusal("certs CN=Alice Smith alice").getMessage())
        .isEqualTo("map_lines:1: expected 3 fields, MAPNAME SYSTEM-USERNAME DATABASE-USERNAME, but found 4"
            + " (quote a name that holds blanks)");
    assertThat(refusal("certs alice \"alice").getMessage())
        .isEqualTo("map_lines:1: a quoted name has no closing quote");
  }

  @Test
  void anUnquotedCommaMakesTwoValuesAsInPostgres() {
    assertThat(refusal("certs CN=alice,O=Acme alice").detail())
        .startsWith("multiple values in one field: CN=alice,O=Acme");

    IdentMap map = certs("certs \"CN=alice,O=Acme\" alice");
    assertThat(pairs(map, "CN=alice,O=Acme", "alice")).isTrue();
  }

  @Test
  void posixBracketClassesAreRefusedRatherThanMisread() {
    assertThat(refusal("certs /^([[:alnum:]]+)$ \\1").detail()).contains("POSIX bracket class [:alnum:]");
  }

  @Test
  void linesOfOtherMapsAreIgnored() {
    IdentMap map = certs(
        "other alice bob",
        "other /\\m[[:alpha:]] +admins",
        "certs alice alice",
        "other /^(.*)$ \\1");

    assertThat(map.size()).isEqualTo(1);
    assertThat(pairs(map, "alice", "bob")).isFalse();
    assertThat(pairs(map, "carol", "carol")).isFalse();
    assertThat(map.match("alice", "alice")).map(Match::lineNumber).contains(3);
  }

  @Test
  void linesOfOtherMapsAreStillCheckedForSyntax() {
    assertThat(refusal("certs alice alice", "other alice").line()).isEqualTo(2);
    assertThat(refusal("certs alice alice", "other a,b c").line()).isEqualTo(2);
  }

  @Test
  void commentsAndQuotedTokens() {
    IdentMap map = certs(
        "# MAPNAME  SYSTEM-USERNAME  DATABASE-USERNAME",
        "",
        "   \t  ",
        "certs\t\"Alice Smith\"   alice   # a comment with \"quotes\"",
        "certs \"say \"\"hi\"\"\" bob#no blank before the comment",
        "certs \"#not-a-comment\" carol",
        "certs \"\" dave");

    assertThat(map.match("Alice Smith", "alice"))
        .contains(new Match("map_lines", 4, "certs\t\"Alice Smith\"   alice   # a comment with \"quotes\""));
    assertThat(pairs(map, "say \"hi\"", "bob")).isTrue();
    assertThat(pairs(map, "#not-a-comment", "carol")).isTrue();
    assertThat(pairs(map, "", "dave")).isTrue();
    assertThat(map.size()).isEqualTo(4);
  }

  @Test
  void aBackslashAtTheEndContinuesTheLine() {
    IdentMap map = certs("certs \\", "  alice \\", "  alice", "certs bob bob");

    assertThat(map.match("alice", "alice")).map(Match::lineNumber).contains(1);
    assertThat(map.match("bob", "bob")).map(Match::lineNumber).contains(4);
  }

  @Test
  void theFirstPairingLineInFileOrderIsReported() {
    IdentMap map = certs("certs /^(.*)@example\\.com$ \\1", "certs alice@example.com all");

    Optional<Match> match = map.match("alice@example.com", "alice");
    assertThat(match).map(Match::lineNumber).contains(1);
    assertThat(match.orElseThrow().describe()).isEqualTo("map_lines:1: certs /^(.*)@example\\.com$ \\1");
    assertThat(map.match("alice@example.com", "postgres")).map(Match::lineNumber).contains(2);
  }

  @Test
  void readsAFileWithCrLfLineEnds(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("pg_ident.conf"),
        "# pgtls\r\ncerts /^(.*)@example\\.com$ \\1\r\ncerts \"J\u00fcrgen\" juergen\r\n", StandardCharsets.UTF_8);

    IdentMap map = IdentMap.read(file, "certs");

    assertThat(map.match("alice@example.com", "alice")).map(Match::describe)
        .contains(file + ":2: certs /^(.*)@example\\.com$ \\1");
    assertThat(pairs(map, "J\u00fcrgen", "juergen")).isTrue();
    assertThat(map).hasToString("IdentMap{'certs' in " + file + ", 2 lines}");
  }

  @Test
  void aFileThatCannotBeReadIsLineZero(@TempDir Path dir) throws IOException {
    Path missing = dir.resolve("missing.conf");
    assertThatThrownBy(() -> IdentMap.read(missing, "certs"))
        .isInstanceOf(IdentMapException.class)
        .hasMessage(missing + ": cannot read the map file: file does not exist")
        .extracting(e -> ((IdentMapException) e).line()).isEqualTo(0);

    Path latin1 = Files.write(dir.resolve("latin1.conf"),
        "certs J\u00fcrgen j\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> IdentMap.read(latin1, "certs"))
        .hasMessage(latin1 + ": cannot read the map file: it is not UTF-8 text");
  }
}
