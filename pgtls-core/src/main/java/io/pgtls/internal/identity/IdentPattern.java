package io.pgtls.internal.identity;

import io.pgtls.internal.identity.AuthLineTokens.MalformedLineException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression of an ident map line (the text after the leading {@code /}), matched the
 * way PostgreSQL matches it: unanchored, so the author writes {@code ^...$}, and case-sensitive.
 *
 * <p>Java's regular expressions stand in for PostgreSQL's advanced regular expressions (POSIX ERE
 * with Perl-like extensions). Three differences are dealt with here:
 *
 * <ul>
 *   <li>{@code .} matches a line feed in PostgreSQL's expressions; {@link Pattern#DOTALL} makes it
 *       do so here.
 *   <li>Java's {@code $} (and {@code \Z}) also match before a line feed that ends the input, which
 *       PostgreSQL's do not: {@code ^(.*)@example\.com$} would take {@code "alice@example.com\n"}.
 *       A name ending in a line feed therefore never matches an expression here.
 *   <li>POSIX bracket classes such as {@code [[:alpha:]]} are read by Java as a set of the
 *       characters {@code :alph}, so an expression holding one is refused.
 * </ul>
 *
 * <p>Others remain: the text a capture group takes can differ where PostgreSQL's leftmost-longest
 * rule and Java's leftmost-first rule part (alternatives that overlap), and an escape only
 * PostgreSQL knows, such as the word boundaries {@code \m} and {@code \y}, fails to compile here.
 */
final class IdentPattern {
  private static final int FLAGS = Pattern.DOTALL | Pattern.UNIX_LINES;
  private static final Pattern POSIX_BRACKET = Pattern.compile("\\[([:=.])[^\\]]*\\1\\]");

  private final String source;
  private final Pattern pattern;

  private IdentPattern(String source, Pattern pattern) {
    this.source = source;
    this.pattern = pattern;
  }

  /** Compiles {@code source} (without the leading {@code /}); the message names what is wrong. */
  static IdentPattern compile(String source) throws MalformedLineException {
    Matcher posix = POSIX_BRACKET.matcher(source);
    if (posix.find()) {
      throw new MalformedLineException("regular expression \"" + source + "\" uses the POSIX bracket class "
          + posix.group() + ", which Java's regular expressions read as a set of characters; write a class"
          + " such as \\p{Alpha}, \\p{Alnum}, \\p{Digit}, \\s or [a-z] instead");
    }
    try {
      return new IdentPattern(source, Pattern.compile(source, FLAGS));
    } catch (PatternSyntaxException e) {
      throw new MalformedLineException("invalid regular expression \"" + source + "\": " + e.getDescription()
          + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
    }
  }

  /** The first match anywhere in {@code subject}, or empty; never a match for a name ending in a line feed. */
  Optional<MatchResult> find(String subject) {
    if (subject.endsWith("\n")) {
      return Optional.empty();
    }
    Matcher matcher = pattern.matcher(subject);
    return matcher.find() ? Optional.of(matcher.toMatchResult()) : Optional.empty();
  }

  int groupCount() {
    return pattern.matcher("").groupCount();
  }

  /** The expression as written, without the leading {@code /}. */
  String source() {
    return source;
  }

  @Override
  public String toString() {
    return "/" + source;
  }
}
