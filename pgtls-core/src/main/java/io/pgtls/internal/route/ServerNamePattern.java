package io.pgtls.internal.route;

/**
 * One entry of a route's {@code server_names}, checked and normalised, and the normalisation of
 * the name a client sends, so that both sides compare equal.
 *
 * <p>A name is letters, digits, {@code -}, {@code _} and dots, with no empty label, labels of at
 * most 63 characters and at most 253 characters in all (RFC 1035 §2.3.4). The underscore goes
 * beyond DNS host names because libpq sends {@code host} verbatim, so names PostgreSQL clients
 * connect to, such as {@code pg_primary} or docker-compose's {@code proj_db_1}, arrive as server
 * names.
 *
 * @param type what the entry matches
 * @param name the normalised name: lower case, no trailing dot; {@code *.suffix} for a wildcard;
 *     {@link #NO_SNI} for the no-name entry
 * @param written the entry as configured, for messages
 */
record ServerNamePattern(Type type, String name, String written) {
  /**
   * The entry naming clients that send no server name, spelled like the keyword of PostgreSQL's
   * {@code pg_hosts.conf}.
   */
  static final String NO_SNI = "no_sni";

  private static final int MAX_LABEL = 63;
  private static final int MAX_NAME = 253;

  enum Type {
    /** A whole host name. */
    EXACT,
    /** {@code *.suffix}: one label, then the suffix. */
    WILDCARD,
    /** The {@code no_sni} keyword. */
    NO_NAME
  }

  /**
   * Parses one configured entry.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static ServerNamePattern parse(String written) {
    if (written.equals(NO_SNI)) {
      return new ServerNamePattern(Type.NO_NAME, NO_SNI, written);
    }
    String name = normalise(written);
    if (name.isEmpty()) {
      throw malformed(written, "it is empty");
    }
    if (name.equals(NO_SNI)) {
      // Any other spelling would be an exact name no client can be told apart from the keyword.
      throw malformed(written, "write the keyword " + NO_SNI + " in lower case without a dot");
    }
    if (isIpLiteral(name)) {
      // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName", and libpq,
      // the JDK, Go, Rust, Python and node send none for an IP host.
      throw malformed(written, "it is an IP address, and clients send no server name when they"
          + " connect to an IP address; name " + NO_SNI + " to route them");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isNameChar(c) && c != '.' && c != '*') {
        throw malformed(written, "it contains " + quote(c)
            + "; a host name has letters, digits, '-', '_' and dots");
      }
    }
    Type type = Type.EXACT;
    String host = name;
    if (name.indexOf('*') >= 0) {
      // RFC 6125 §6.4.3, as Traefik and libpq's certificate check read it: the wildcard is the
      // whole first label and stands for exactly one label.
      if (name.equals("*") || name.equals("*.")) {
        throw malformed(written, "a wildcard needs a domain after it, as in '*.example.com'");
      }
      host = name.substring(2);
      if (!name.startsWith("*.") || host.indexOf('*') >= 0) {
        throw malformed(written, "a wildcard must be the whole first label, as in '*.example.com'");
      }
      if (isIpLiteral(host)) {
        throw malformed(written, "a wildcard must stand before a domain, not an IP address");
      }
      type = Type.WILDCARD;
    }
    checkLabels(written, host);
    if (name.length() > MAX_NAME) {
      throw malformed(written, "it has " + name.length() + " characters; a host name has at most " + MAX_NAME);
    }
    return new ServerNamePattern(type, name, written);
  }

  /**
   * The name a client sent as pgtls compares it: ASCII letters in lower case (RFC 4343: DNS
   * names compare case-insensitively in ASCII only; other characters stay, as no pattern holds
   * them) and one trailing dot removed (RFC 6066 §3 forbids it, but libpq sends
   * {@code host=db.example.com.} verbatim).
   */
  static String normalise(String sent) {
    String s = sent.endsWith(".") ? sent.substring(0, sent.length() - 1) : sent;
    char[] chars = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (chars == null) {
          chars = s.toCharArray();
        }
        chars[i] = (char) (c + ('a' - 'A'));
      }
    }
    return chars == null ? s : new String(chars);
  }

  /**
   * Whether a normalised name is an IP address, by the rules libpq uses to decide not to send
   * one: only digits and dots (IPv4), or a colon (IPv6, bracketed or not, with or without a
   * zone), which no host name contains. Clients that send one anyway (.NET on Linux before 8)
   * mean "no name".
   */
  static boolean isIpLiteral(String name) {
    if (name.indexOf(':') >= 0) {
      return true;
    }
    boolean digit = false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '.') {
        return false;
      }
    }
    return digit;
  }

  /** Whether {@code s} is one label a wildcard may stand for. */
  static boolean isLabel(CharSequence s) {
    if (s.length() == 0 || s.length() > MAX_LABEL) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isNameChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static void checkLabels(String written, String host) {
    int start = 0;
    while (true) {
      int dot = host.indexOf('.', start);
      int end = dot < 0 ? host.length() : dot;
      if (end == start) {
        throw malformed(written, "it has an empty label");
      }
      if (end - start > MAX_LABEL) {
        throw malformed(written, "it has a label of " + (end - start) + " characters; a label has at most " + MAX_LABEL);
      }
      if (dot < 0) {
        return;
      }
      start = dot + 1;
    }
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }

  private static String quote(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static IllegalArgumentException malformed(String written, String why) {
    return new IllegalArgumentException("server name '" + written + "' is malformed: " + why);
  }
}
