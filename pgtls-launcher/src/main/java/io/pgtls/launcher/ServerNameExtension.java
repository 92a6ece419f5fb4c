package io.pgtls.launcher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Turns off the JDK TLS server's own handling of the server_name (SNI) extension, so that every
 * server name PostgreSQL accepts reaches pgtls's routing.
 *
 * <p>JDK quirk (JDK 17 and later, {@code sun.security.ssl.ServerNameExtension}): a server engine
 * parses the client's server name into a {@code javax.net.ssl.SNIHostName}, whose strict LDH rules
 * refuse {@code pg_primary} (libpq sends {@code host} as written, and Docker Compose service names
 * have underscores) and {@code db.example.com.} (a trailing dot); the handshake fails with an
 * {@code illegal_parameter} alert before pgtls sees it. OpenSSL, and so PostgreSQL, accepts both.
 * The only switch is the JVM-wide system property {@code jdk.tls.server.disableExtensions}, read
 * once when the JDK's TLS configuration class loads: it must be set before anything in the
 * process touches JSSE (logging set-up, crypto providers, key loading), so {@link Main} calls
 * {@link #disableInThisJvm()} first. pgtls reads the server name from the ClientHello itself and
 * loses nothing. The launcher's JVM serves no other TLS.
 */
final class ServerNameExtension {
  static final String PROPERTY = "jdk.tls.server.disableExtensions";
  static final String EXTENSION = "server_name";

  /** What {@link #disableInThisJvm()} did, logged once logging is set up; null when it was not called. */
  private static volatile String outcome;

  private ServerNameExtension() {}

  /** Sets or extends the property in this JVM's system properties. */
  static void disableInThisJvm() {
    outcome = disable(System.getProperties());
  }

  /** What {@link #disableInThisJvm()} did, in words; null in a JVM where it was not called (tests, embedders). */
  static String outcome() {
    return outcome;
  }

  /**
   * Makes {@code properties}' {@value #PROPERTY} include {@value #EXTENSION}, keeping whatever the
   * operator listed, and says what it did.
   */
  static String disable(Properties properties) {
    String given = properties.getProperty(PROPERTY);
    List<String> names = parse(given);
    if (names.contains(EXTENSION)) {
      return PROPERTY + " is " + quote(given) + ", which already includes " + EXTENSION;
    }
    names.add(EXTENSION);
    String value = String.join(",", names);
    properties.setProperty(PROPERTY, value);
    String why = ": the JDK's TLS server refuses server names PostgreSQL accepts (with '_', or a trailing dot); "
        + "pgtls reads the server name itself";
    return given == null || names.size() == 1
        ? PROPERTY + " set to " + quote(value) + why
        : PROPERTY + " was " + quote(given) + "; " + EXTENSION + " appended, now " + quote(value) + why;
  }

  /** The extension names as the JDK reads them: surrounding double quotes dropped, split on commas, trimmed. */
  private static List<String> parse(String value) {
    List<String> names = new ArrayList<>();
    if (value == null) {
      return names;
    }
    String v = value.trim();
    if (v.length() > 1 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(names::add);
    return names;
  }

  private static String quote(String value) {
    return "'" + value + "'";
  }
}
