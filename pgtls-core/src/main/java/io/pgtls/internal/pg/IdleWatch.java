package io.pgtls.internal.pg;

import java.nio.ByteBuffer;

/**
 * Watches both directions of one session for the points where it is idle: between transactions,
 * with no query on its way or running, and both streams between messages. There pgtls can end
 * the session (a FATAL to the client, a Terminate to the backend) without cutting anything the
 * client is waiting for.
 *
 * <p>Idle means all of: the backend's last complete message is ReadyForQuery 'I' (not inside a
 * transaction block) with nothing begun since; the client has sent no byte since that
 * ReadyForQuery; the backend has answered, with one ReadyForQuery each, every message the client
 * sent that it answers so (a client may pipeline several queries, and the ReadyForQuery of the
 * first is then not the last one owed); and the client's stream is between messages. Whether the
 * bytes read have also been delivered is the relay's to say.
 */
public final class IdleWatch {
  private final ClientMessages client = new ClientMessages();
  private final BackendMessages backend = new BackendMessages();
  /** Whether the client sent any byte since the backend's last complete ReadyForQuery. */
  private boolean clientSentSinceReady;

  /** The client sent the bytes at absolute indices [from, to) of {@code chunk}. */
  public void fromClient(ByteBuffer chunk, int from, int to) {
    if (from < to) {
      clientSentSinceReady = true;
      client.feed(chunk, from, to);
    }
  }

  /** The backend sent the bytes at absolute indices [from, to) of {@code chunk}. */
  public void fromBackend(ByteBuffer chunk, int from, int to) {
    long before = backend.readyForQueries();
    backend.feed(chunk, from, to);
    if (backend.readyForQueries() != before) {
      clientSentSinceReady = false;
    }
  }

  /** Whether the session is idle as the bytes read so far tell (see the class comment). */
  public boolean idle() {
    return backend.idleAtBoundary() && !clientSentSinceReady && client.position() == MessageFramer.Position.AT_BOUNDARY
        && client.expectedReadyForQueries() == backend.readyForQueries();
  }

  /** Whether the client's stream read so far ends between two messages. */
  public boolean clientAtBoundary() {
    return client.position() == MessageFramer.Position.AT_BOUNDARY;
  }

  /** Whether the backend's stream read so far ends between two messages. */
  public boolean backendAtBoundary() {
    return backend.position() == MessageFramer.Position.AT_BOUNDARY;
  }

  /** Whether the client's last complete message was a Terminate: the client ended the session. */
  public boolean clientTerminated() {
    return client.terminated();
  }

  @Override
  public String toString() {
    return "IdleWatch{" + client + " " + backend + (clientSentSinceReady ? " client-sent" : "") + "}";
  }
}
