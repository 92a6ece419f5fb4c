package io.pgtls.internal.identity;

/**
 * An ident map that cannot be used: a line that breaks the {@code pg_ident.conf} syntax or uses
 * what pgtls cannot check, a map name with no line, or a map file that cannot be read. The message
 * reads {@code ORIGIN:LINE: detail}, e.g. {@code /etc/pgtls/pg_ident.conf:3: expected 3 fields ...},
 * or {@code ORIGIN: detail} when no one line is at fault.
 */
public final class IdentMapException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String origin;
  private final int line;
  private final String detail;

  IdentMapException(String origin, int line, String detail) {
    this(origin, line, detail, null);
  }

  IdentMapException(String origin, int line, String detail, Throwable cause) {
    super(origin + (line > 0 ? ":" + line : "") + ": " + detail, cause);
    this.origin = origin;
    this.line = line;
    this.detail = detail;
  }

  /** The map file's path, or {@code map_lines} for lines given inline. */
  public String origin() {
    return origin;
  }

  /** The 1-based number of the line at fault, or 0 when the fault is not one line's. */
  public int line() {
    return line;
  }

  /** What is wrong, without the origin and line. */
  public String detail() {
    return detail;
  }
}
