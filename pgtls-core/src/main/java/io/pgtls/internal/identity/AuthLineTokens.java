package io.pgtls.internal.identity;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one line of a {@code pg_ident.conf}-style file into fields of tokens, as PostgreSQL's
 * {@code next_token} and {@code next_field_expand} do (src/backend/libpq/hba.c):
 *
 * <ul>
 *   <li>Blanks (space, tab, carriage return) separate fields; an unquoted {@code #} ends the line.
 *   <li>Double quotes let a token hold blanks, commas and {@code #}; they are removed, and
 *       {@code ""} inside quotes is one literal quote. A token is <em>quoted</em> when it starts
 *       with a quote; only then does a keyword such as {@code all} lose its meaning.
 *   <li>An unquoted comma separates several tokens of one field ({@code a,b}); commas and blanks
 *       before a token are skipped.
 * </ul>
 *
 * <p>Unlike PostgreSQL, which takes the rest of the line as the token, an unterminated quote is
 * an error here.
 */
final class AuthLineTokens {
  private AuthLineTokens() {}

  /** One token: its text without quotes, and whether it started with a quote. */
  record Token(String text, boolean quoted) {
    @Override
    public String toString() {
      return quoted ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
  }

  /** A line that cannot be split into tokens. */
  static final class MalformedLineException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedLineException(String message) {
      super(message);
    }
  }

  /** The fields of {@code line}, each a list of one or more tokens; empty for a blank or comment line. */
  static List<List<Token>> fields(String line) throws MalformedLineException {
    List<List<Token>> fields = new ArrayList<>();
    List<Token> field = new ArrayList<>();
    int position = 0;
    int length = line.length();
    while (true) {
      // Move over blanks and commas before the next token.
      while (position < length && (isBlank(line.charAt(position)) || line.charAt(position) == ',')) {
        position++;
      }
      StringBuilder text = new StringBuilder();
      boolean inQuote = false;
      boolean wasQuote = false;
      boolean sawQuote = false;
      boolean initialQuote = false;
      boolean terminatingComma = false;
      boolean comment = false;
      while (position < length && (inQuote || !isBlank(line.charAt(position)))) {
        char c = line.charAt(position);
        if (c == '#' && !inQuote) {
          comment = true;
          break;
        }
        if (c == ',' && !inQuote) {
          terminatingComma = true;
          position++;
          break;
        }
        if (c != '"' || wasQuote) {
          text.append(c);
        }
        // A literal double quote is two double quotes.
        wasQuote = inQuote && c == '"' && !wasQuote;
        if (c == '"') {
          inQuote = !inQuote;
          sawQuote = true;
          if (text.length() == 0) {
            initialQuote = true;
          }
        }
        position++;
      }
      if (inQuote) {
        throw new MalformedLineException("a quoted name has no closing quote");
      }
      if (sawQuote || text.length() > 0) {
        field.add(new Token(text.toString(), initialQuote));
      }
      boolean endOfLine = comment || position >= length;
      if (!field.isEmpty() && (!terminatingComma || endOfLine)) {
        fields.add(List.copyOf(field));
        field = new ArrayList<>();
      }
      if (endOfLine) {
        return fields;
      }
    }
  }

  /** PostgreSQL's {@code pg_isblank}: other white space, such as a form feed, is part of a token. */
  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
  }
}
