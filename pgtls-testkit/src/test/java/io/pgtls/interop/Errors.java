package io.pgtls.interop;

import java.sql.SQLException;

/** Flattens an exception chain into one line an assertion can search. */
final class Errors {
  private Errors() {}

  static String describe(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (s.length() > 0) {
        s.append(" <- ");
      }
      if (c instanceof SQLException && ((SQLException) c).getSQLState() != null) {
        s.append('[').append(((SQLException) c).getSQLState()).append("] ");
      }
      s.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
    }
    return s.toString();
  }
}
