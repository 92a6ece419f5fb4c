package io.pgtls.launcher;

import java.util.Properties;

/**
 * Makes the JVM's TLS server session contexts stateful, so that pgtls's listener issues no
 * session ticket in TLS 1.2 either: PostgreSQL turns tickets and its session cache off, and no
 * PostgreSQL client resumes a session, so a ticket is work for nothing on every handshake.
 *
 * <p>JDK quirk: pgtls-core stops TLS 1.3 tickets per context (a session timeout above the ticket
 * lifetime limit, see {@code io.pgtls.tls.TlsContexts.serverWithoutResumption}), but with the
 * default stateless tickets the same trick breaks TLS 1.2 handshakes with clients that ask for a
 * ticket (the ServerHello announces one that never comes), so core keeps JDK defaults for TLS 1.2
 * unless {@value #PROPERTY} is false. The property is read each time a context is made; {@link
 * Main} sets it before anything makes one. The launcher's JVM serves no other TLS.
 */
final class SessionTickets {
  static final String PROPERTY = "jdk.tls.server.enableSessionTicketExtension";

  /** What {@link #statefulInThisJvm()} did, logged once logging is set up; null when it was not called. */
  private static volatile String outcome;

  private SessionTickets() {}

  static void statefulInThisJvm() {
    outcome = stateful(System.getProperties());
  }

  /** What {@link #statefulInThisJvm()} did, in words; null in a JVM where it was not called. */
  static String outcome() {
    return outcome;
  }

  /** Sets {@value #PROPERTY} to false unless the operator gave it a value, and says what it did. */
  static String stateful(Properties properties) {
    String given = properties.getProperty(PROPERTY);
    if (given != null) {
      return PROPERTY + " is \"" + given + "\" (given)"
          + ("false".equalsIgnoreCase(given.trim()) ? ": no session tickets" : ": TLS 1.2 clients may get session tickets");
    }
    properties.setProperty(PROPERTY, "false");
    return PROPERTY + " set to \"false\": no session tickets (PostgreSQL issues none and its clients never resume)";
  }
}
