package io.pgtls.internal.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.identity.AuthLineTokens.MalformedLineException;
import io.pgtls.internal.identity.AuthLineTokens.Token;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthLineTokensTest {

  private static Token plain(String text) {
    return new Token(text, false);
  }

  private static Token quoted(String text) {
    return new Token(text, true);
  }

  @Test
  void blanksSeparateFieldsAndAHashEndsTheLine() throws MalformedLineException {
    assertThat(AuthLineTokens.fields(" a\tb\rc # d e")).containsExactly(
        List.of(plain("a")), List.of(plain("b")), List.of(plain("c")));
    assertThat(AuthLineTokens.fields("a#b c")).containsExactly(List.of(plain("a")));
    assertThat(AuthLineTokens.fields("   # only a comment")).isEmpty();
    assertThat(AuthLineTokens.fields("")).isEmpty();
    // A form feed is not one of PostgreSQL's blanks.
    assertThat(AuthLineTokens.fields("a\fb")).containsExactly(List.of(plain("a\fb")));
  }

  @Test
  void aTokenIsQuotedOnlyWhenItStartsWithAQuote() throws MalformedLineException {
    assertThat(AuthLineTokens.fields("\"all\" a\"ll\" \"a b\"c \"\"")).containsExactly(
        List.of(quoted("all")), List.of(plain("all")), List.of(quoted("a bc")), List.of(quoted("")));
  }

  @Test
  void twoQuotesInsideQuotesAreOneLiteralQuote() throws MalformedLineException {
    assertThat(AuthLineTokens.fields("\"a\"\"b\" \"#,\"")).containsExactly(
        List.of(quoted("a\"b")), List.of(quoted("#,")));
  }

  @Test
  void unquotedCommasMakeSeveralTokensOfOneField() throws MalformedLineException {
    assertThat(AuthLineTokens.fields("a,b c")).containsExactly(List.of(plain("a"), plain("b")), List.of(plain("c")));
    assertThat(AuthLineTokens.fields("a, b c")).containsExactly(List.of(plain("a"), plain("b")), List.of(plain("c")));
    assertThat(AuthLineTokens.fields("a, c,")).containsExactly(List.of(plain("a"), plain("c")));
    assertThat(AuthLineTokens.fields(",a")).containsExactly(List.of(plain("a")));
  }

  @Test
  void anUnterminatedQuoteIsAnError() {
    assertThatThrownBy(() -> AuthLineTokens.fields("certs \"alice bob"))
        .isInstanceOf(MalformedLineException.class)
        .hasMessage("a quoted name has no closing quote");
  }
}
