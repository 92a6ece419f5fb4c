package io.pgtls.internal.identity;

import io.pgtls.internal.identity.AuthLineTokens.MalformedLineException;
import io.pgtls.internal.identity.AuthLineTokens.Token;
import java.util.Optional;
import java.util.regex.MatchResult;

/**
 * One line of the ident map in use, {@code MAPNAME SYSTEM-USERNAME DATABASE-USERNAME}, and the
 * test whether it pairs a system name (a certificate identity) with a database user, as
 * PostgreSQL's {@code check_ident_usermap} (src/backend/libpq/hba.c, PostgreSQL 16) tests it.
 */
final class IdentLine {
  /** The backreference PostgreSQL replaces in a DATABASE-USERNAME. */
  private static final String BACKREFERENCE = "\\1";

  /** What the SYSTEM-USERNAME field is. */
  enum SystemKind {
    /** A name compared exactly, case-sensitively. */
    LITERAL,
    /** {@code /regex}, quoted or not: any name it finds a match in. */
    REGEX
  }

  /** What the DATABASE-USERNAME field is. */
  enum UserKind {
    /** A user name compared exactly, case-sensitively. */
    LITERAL,
    /** The unquoted keyword {@code all}: any user (PostgreSQL 16). */
    ANY,
    /** {@code /regex}, quoted or not: any user it finds a match in (PostgreSQL 16). */
    REGEX,
    /**
     * A name holding {@code \1}, quoted or not: its first {@code \1} replaced by the system
     * regex's first capture group, then compared exactly.
     */
    CAPTURE
  }

  /** What {@link #test} found. */
  enum Outcome {
    PAIRS,
    DOES_NOT_PAIR,
    /**
     * The capture group {@code \1} stands for took no part in the match. PostgreSQL logs an error
     * and stops looking at later lines, so nothing pairs.
     */
    ENDS_SEARCH
  }

  private final int lineNumber;
  private final String text;
  private final SystemKind systemKind;
  private final String system;
  private final IdentPattern systemPattern;
  private final UserKind userKind;
  private final String user;
  private final IdentPattern userPattern;

  private IdentLine(int lineNumber, String text, SystemKind systemKind, String system, IdentPattern systemPattern,
      UserKind userKind, String user, IdentPattern userPattern) {
    this.lineNumber = lineNumber;
    this.text = text;
    this.systemKind = systemKind;
    this.system = system;
    this.systemPattern = systemPattern;
    this.userKind = userKind;
    this.user = user;
    this.userPattern = userPattern;
  }

  /**
   * The line numbered {@code lineNumber}, written as {@code text}, whose second and third fields
   * are {@code systemToken} and {@code userToken}; the message of the exception says what is wrong.
   */
  static IdentLine of(int lineNumber, String text, Token systemToken, Token userToken) throws MalformedLineException {
    // As in PostgreSQL, a leading slash makes a regex even in a quoted token: quoting takes away
    // the meaning of keywords (all, +group) only.
    IdentPattern systemPattern = systemToken.text().startsWith("/")
        ? IdentPattern.compile(systemToken.text().substring(1))
        : null;
    SystemKind systemKind = systemPattern == null ? SystemKind.LITERAL : SystemKind.REGEX;
    String user = userToken.text();
    if (!userToken.quoted() && user.startsWith("+")) {
      throw new MalformedLineException("\"" + user + "\" asks for members of role \"" + user.substring(1)
          + "\", which pgtls cannot check: a proxy does not see the database's roles; list the users,"
          + " or match them with a regular expression (/...)");
    }
    if (!userToken.quoted() && user.equals("all")) {
      return new IdentLine(lineNumber, text, systemKind, systemToken.text(), systemPattern, UserKind.ANY, user, null);
    }
    if (user.startsWith("/")) {
      // No \1 replacement in a regex (PostgreSQL leaves it to the regex, as its own backreference).
      return new IdentLine(lineNumber, text, systemKind, systemToken.text(), systemPattern, UserKind.REGEX, user,
          IdentPattern.compile(user.substring(1)));
    }
    if (user.contains(BACKREFERENCE)) {
      if (systemPattern == null) {
        throw new MalformedLineException("\"" + user + "\" takes \\1 from the SYSTEM-USERNAME, but \""
            + systemToken.text() + "\" is not a regular expression (one starting with /)");
      }
      if (systemPattern.groupCount() < 1) {
        // PostgreSQL's words, which it logs on every connection that reaches the line.
        throw new MalformedLineException("regular expression \"" + systemPattern.source()
            + "\" has no subexpressions as requested by backreference in \"" + user + "\"");
      }
      return new IdentLine(lineNumber, text, systemKind, systemToken.text(), systemPattern, UserKind.CAPTURE, user,
          null);
    }
    return new IdentLine(lineNumber, text, systemKind, systemToken.text(), systemPattern, UserKind.LITERAL, user,
        null);
  }

  /** Whether this line lets {@code systemUser} log in as {@code databaseUser}. */
  Outcome test(String systemUser, String databaseUser) {
    MatchResult systemMatch = null;
    switch (systemKind) {
      case LITERAL:
        if (!system.equals(systemUser)) {
          return Outcome.DOES_NOT_PAIR;
        }
        break;
      case REGEX:
        Optional<MatchResult> found = systemPattern.find(systemUser);
        if (found.isEmpty()) {
          return Outcome.DOES_NOT_PAIR;
        }
        systemMatch = found.get();
        break;
      default:
        throw new AssertionError(systemKind);
    }
    switch (userKind) {
      case LITERAL:
        return pairsIf(user.equals(databaseUser));
      case ANY:
        return Outcome.PAIRS;
      case REGEX:
        return pairsIf(userPattern.find(databaseUser).isPresent());
      case CAPTURE:
        String captured = systemMatch.group(1);
        if (captured == null) {
          return Outcome.ENDS_SEARCH;
        }
        // Only the first \1 is replaced, as PostgreSQL does; the result is compared as a plain name.
        int at = user.indexOf(BACKREFERENCE);
        String expanded = user.substring(0, at) + captured + user.substring(at + BACKREFERENCE.length());
        return pairsIf(expanded.equals(databaseUser));
      default:
        throw new AssertionError(userKind);
    }
  }

  private static Outcome pairsIf(boolean pairs) {
    return pairs ? Outcome.PAIRS : Outcome.DOES_NOT_PAIR;
  }

  int lineNumber() {
    return lineNumber;
  }

  /** The line as written, without leading and trailing blanks. */
  String text() {
    return text;
  }

  @Override
  public String toString() {
    return "IdentLine{" + lineNumber + ": " + systemKind + " " + system + " -> " + userKind + " " + user + "}";
  }
}
