package io.pgtls.internal.conn;

/**
 * What the client asked for with its first message, fixed once it is read: a session for {@code
 * user} on {@code database}, or a cancel. The message itself waits at the start of the
 * client-to-backend buffer, to be forwarded unchanged.
 *
 * @param cancel whether it is a CancelRequest
 * @param protocol the StartupMessage's protocol version, such as "3.0"
 * @param packetLength the length of the StartupMessage or CancelRequest
 * @param serverName the SNI name the client sent, "" for none or a plaintext client
 */
record SessionRequest(boolean cancel, String user, String database, String protocol, int packetLength,
    String serverName) {
  static SessionRequest session(StartupRules.Decision startup, String serverName) {
    return new SessionRequest(false, startup.user(), startup.database(), startup.protocol(), startup.length(),
        serverName);
  }

  static SessionRequest cancel(int packetLength, String serverName) {
    return new SessionRequest(true, "", "", "", packetLength, serverName);
  }
}
