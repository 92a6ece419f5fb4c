package io.pgtls.internal.identity;

import io.pgtls.internal.identity.AuthLineTokens.MalformedLineException;
import io.pgtls.internal.identity.AuthLineTokens.Token;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The lines of one map of a {@code pg_ident.conf}-style file, read as PostgreSQL 16 reads them
 * (src/backend/libpq/hba.c, {@code tokenize_auth_file}, {@code parse_ident_line}).
 *
 * <p>Each line is {@code MAPNAME SYSTEM-USERNAME DATABASE-USERNAME}; blank lines and {@code #}
 * comments are skipped, a line ending in a backslash continues on the next one, and quoting is as
 * {@link AuthLineTokens} describes. SYSTEM-USERNAME is a name, or a regular expression after a
 * leading {@code /}; DATABASE-USERNAME is a name, {@code all}, a regular expression after a leading
 * {@code /}, or a name in which {@code \1} stands for the first capture group of the system
 * expression (see {@link IdentLine} and {@link IdentPattern}).
 *
 * <p>Every line is checked for syntax, whatever its map; lines of other maps are then ignored, so
 * their expressions are never compiled and may use what only PostgreSQL knows. As in PostgreSQL,
 * an unquoted comma inside a field is refused ("multiple values"). Refused here though PostgreSQL
 * accepts them: a line of more than three fields (PostgreSQL ignores the rest), an unterminated
 * quote (PostgreSQL takes the rest of the line), {@code include}, {@code include_if_exists} and
 * {@code include_dir} lines and {@code @file} names (not supported); in the map's own lines,
 * {@code +group} (role membership, which a proxy cannot see) and a {@code \1} that no capture group
 * can fill (PostgreSQL compares it as written, or logs an error and stops); and a map name no line
 * uses, which is always a typo.
 */
public final class IdentMap {
  /** The origin of lines given inline rather than in a file. */
  public static final String MAP_LINES = "map_lines";

  private static final Set<String> INCLUDE_DIRECTIVES = Set.of("include", "include_if_exists", "include_dir");
  private static final String FIELDS = "MAPNAME SYSTEM-USERNAME DATABASE-USERNAME";

  /** The line that paired a system name with a database user. */
  public record Match(String origin, int lineNumber, String text) {
    /** Where the line is and what it says: {@code /etc/pgtls/pg_ident.conf:3: certs /^(.*)@example\.com$ \1}. */
    public String describe() {
      return origin + ":" + lineNumber + ": " + text;
    }

    @Override
    public String toString() {
      return "Match{" + describe() + "}";
    }
  }

  private final String origin;
  private final String name;
  private final List<IdentLine> lines;

  private IdentMap(String origin, String name, List<IdentLine> lines) {
    this.origin = origin;
    this.name = name;
    this.lines = lines;
  }

  /**
   * Reads map {@code mapName} from {@code file}, UTF-8 text.
   *
   * @throws IdentMapException when the file cannot be read or the map cannot be used
   */
  public static IdentMap read(Path file, String mapName) {
    String origin = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IdentMapException(origin, 0, "cannot read the map file: file does not exist", e);
    } catch (AccessDeniedException e) {
      throw new IdentMapException(origin, 0, "cannot read the map file: permission denied", e);
    } catch (MalformedInputException e) {
      throw new IdentMapException(origin, 0, "cannot read the map file: it is not UTF-8 text", e);
    } catch (IOException e) {
      throw new IdentMapException(origin, 0,
          "cannot read the map file: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    // Lines end at a line feed only, as PostgreSQL reads them; a carriage return before it is
    // dropped, and one elsewhere is a blank.
    List<String> physical = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    if (physical.get(physical.size() - 1).isEmpty()) {
      physical.remove(physical.size() - 1);
    }
    return parse(physical, origin, mapName);
  }

  /**
   * Parses map {@code mapName} from {@code lines}; {@code origin} (a file path or
   * {@link #MAP_LINES}) names them in messages.
   *
   * @throws IdentMapException naming the line at fault, or when no line belongs to {@code mapName}
   */
  public static IdentMap parse(List<String> lines, String origin, String mapName) {
    List<IdentLine> ours = new ArrayList<>();
    Set<String> otherMaps = new LinkedHashSet<>();
    int next = 0;
    while (next < lines.size()) {
      int lineNumber = next + 1;
      // A backslash at the end continues the line (PostgreSQL 15+), even at the end of a comment.
      // It must come after the point where the last continuation joined, as in PostgreSQL.
      StringBuilder joined = new StringBuilder();
      int lastContinuation = 0;
      while (next < lines.size()) {
        joined.append(stripLineEnd(lines.get(next++)));
        if (joined.length() > lastContinuation && joined.charAt(joined.length() - 1) == '\\') {
          joined.setLength(joined.length() - 1);
          lastContinuation = joined.length();
          continue;
        }
        break;
      }
      String text = joined.toString();
      try {
        List<List<Token>> fields = AuthLineTokens.fields(text);
        if (fields.isEmpty()) {
          continue;
        }
        checkSyntax(fields);
        String map = fields.get(0).get(0).text();
        if (!map.equals(mapName)) {
          otherMaps.add(map);
          continue;
        }
        ours.add(IdentLine.of(lineNumber, text.strip(), fields.get(1).get(0), fields.get(2).get(0)));
      } catch (MalformedLineException e) {
        throw new IdentMapException(origin, lineNumber, e.getMessage());
      }
    }
    if (ours.isEmpty()) {
      throw new IdentMapException(origin, 0, "map '" + mapName + "' has no lines"
          + (otherMaps.isEmpty() ? "" : otherMaps.stream().map(map -> "'" + map + "'")
              .collect(Collectors.joining(", ", " (the lines here are of maps ", ")"))));
    }
    return new IdentMap(origin, mapName, List.copyOf(ours));
  }

  /** PostgreSQL's {@code pg_strip_crlf}: every carriage return and line feed at the end. */
  private static String stripLineEnd(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == '\r' || line.charAt(end - 1) == '\n')) {
      end--;
    }
    return line.substring(0, end);
  }

  private static void checkSyntax(List<List<Token>> fields) throws MalformedLineException {
    // PostgreSQL takes a line of two fields whose first is one of these words as a directive,
    // quoted or not; a line of three is a map line, even of a map so named.
    if (fields.size() == 2 && INCLUDE_DIRECTIVES.contains(fields.get(0).get(0).text())) {
      throw new MalformedLineException("\"" + fields.get(0).get(0).text()
          + "\" is not supported: write the map's lines in this file");
    }
    for (List<Token> field : fields) {
      for (Token token : field) {
        if (!token.quoted() && token.text().length() > 1 && token.text().startsWith("@")) {
          throw new MalformedLineException("\"" + token.text()
              + "\" includes a file, which is not supported: write the names in this file");
        }
      }
      if (field.size() > 1) {
        throw new MalformedLineException("multiple values in one field: "
            + field.stream().map(Token::toString).collect(Collectors.joining(","))
            + " (an unquoted comma separates values; quote a name that holds a comma, as in \"CN=alice,O=Acme\")");
      }
    }
    if (fields.size() != 3) {
      throw new MalformedLineException("expected 3 fields, " + FIELDS + ", but found " + fields.size()
          + (fields.size() > 3 ? " (quote a name that holds blanks)" : ""));
    }
  }

  /**
   * The first line, in file order, that lets {@code systemUser} (a certificate identity) log in
   * as {@code databaseUser}; empty when none does, or when a line whose {@code \1} group took no
   * part in the match ends the search, as it does in PostgreSQL.
   */
  public Optional<Match> match(String systemUser, String databaseUser) {
    for (IdentLine line : lines) {
      switch (line.test(systemUser, databaseUser)) {
        case PAIRS:
          return Optional.of(new Match(origin, line.lineNumber(), line.text()));
        case ENDS_SEARCH:
          return Optional.empty();
        case DOES_NOT_PAIR:
          break;
        default:
          throw new AssertionError();
      }
    }
    return Optional.empty();
  }

  /** The map's name. */
  public String name() {
    return name;
  }

  /** The file path, or {@link #MAP_LINES}. */
  public String origin() {
    return origin;
  }

  /** How many lines the map has. */
  public int size() {
    return lines.size();
  }

  @Override
  public String toString() {
    return "IdentMap{'" + name + "' in " + origin + ", " + lines.size() + (lines.size() == 1 ? " line}" : " lines}");
  }
}
