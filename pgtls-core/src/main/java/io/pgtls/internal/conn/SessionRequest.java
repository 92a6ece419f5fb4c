package io.pgtls.internal.conn;

import java.util.Map;

/**
 * What the client asked for with its first message, fixed once it is read: a session for {@code
 * user} on {@code database}, or a cancel. The message itself waits at the start of the
 * client-to-backend buffer, to be forwarded (unchanged, or with pgtls's identity setting).
 *
 * @param cancel whether it is a CancelRequest
 * @param protocol the StartupMessage's protocol version, such as "3.0"
 * @param packetLength the length of the StartupMessage or CancelRequest
 * @param serverName the SNI name the client sent, "" for none or a plaintext client
 * @param parameters the StartupMessage's name/value pairs (empty for a cancel)
 */
record SessionRequest(boolean cancel, String user, String database, String protocol, int packetLength,
    String serverName, Map<String, String> parameters) {
  static SessionRequest session(StartupRules.Decision startup, String serverName) {
    return new SessionRequest(false, startup.user(), startup.database(), startup.protocol(), startup.length(),
        serverName, Map.copyOf(startup.parameters()));
  }

  static SessionRequest cancel(int packetLength, String serverName) {
    return new SessionRequest(true, "", "", "", packetLength, serverName, Map.of());
  }

  /** The same request after its StartupMessage was rewritten to {@code newLength} bytes. */
  SessionRequest withPacketLength(int newLength) {
    return new SessionRequest(cancel, user, database, protocol, newLength, serverName, parameters);
  }

  String applicationName() {
    return parameters.getOrDefault("application_name", "");
  }
}
