package io.pgtls.internal.identity;

/**
 * Names from certificates and StartupMessages written into log lines: quoted, with quotes,
 * backslashes and control characters escaped, so that a certificate cannot forge a log line.
 */
final class LogText {
  private LogText() {}

  /** {@code text} in double quotes, e.g. {@code "alice\n"} for alice and a line feed. */
  static String quoted(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
