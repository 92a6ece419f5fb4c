package io.pgtls.tls;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Runs a TLS handshake between two SSLEngines in memory, the way the JDK's own
 * SSLEngineTemplate test does: each round both engines wrap into their outbound buffer, then
 * both unwrap what the other wrote, until neither is handshaking and nothing is in flight.
 * The first SSLException from either side is thrown.
 */
final class EnginePump {

  private static final int MAX_ROUNDS = 100;
  private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

  private EnginePump() {
  }

  static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    ByteBuffer clientToServer = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
    ByteBuffer serverToClient = ByteBuffer.allocate(server.getSession().getPacketBufferSize());
    ByteBuffer clientApplication = ByteBuffer.allocate(client.getSession().getApplicationBufferSize());
    ByteBuffer serverApplication = ByteBuffer.allocate(server.getSession().getApplicationBufferSize());
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      client.wrap(NOTHING, clientToServer);
      runTasks(client);
      server.wrap(NOTHING, serverToClient);
      runTasks(server);

      clientToServer.flip();
      serverToClient.flip();
      server.unwrap(clientToServer, serverApplication);
      runTasks(server);
      client.unwrap(serverToClient, clientApplication);
      runTasks(client);
      clientToServer.compact();
      serverToClient.compact();

      if (finished(client) && finished(server)
          && clientToServer.position() == 0 && serverToClient.position() == 0) {
        return;
      }
    }
    throw new AssertionError("handshake did not finish in " + MAX_ROUNDS + " rounds: client "
        + client.getHandshakeStatus() + ", server " + server.getHandshakeStatus());
  }

  private static boolean finished(SSLEngine engine) {
    HandshakeStatus status = engine.getHandshakeStatus();
    return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
  }

  private static void runTasks(SSLEngine engine) {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
