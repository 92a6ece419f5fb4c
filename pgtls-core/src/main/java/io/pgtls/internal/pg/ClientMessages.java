package io.pgtls.internal.pg;

import java.nio.ByteBuffer;

/**
 * Frames the client-to-backend stream of one session, chunk by chunk as it is read, and counts the
 * messages the backend answers with exactly one ReadyForQuery: the StartupMessage (once the login
 * succeeds), Query ('Q'), Sync ('S') and FunctionCall ('F'). Compared with the ReadyForQuery
 * messages the backend sent ({@link BackendMessages#readyForQueries()}), the count says whether
 * a query is still on its way or running, even when a client pipelines several; {@link
 * #position()} says whether a message pgtls adds (a Terminate) would land between the client's
 * messages.
 *
 * <p>The stream starts with the StartupMessage, which has no type byte (Int32 length counting
 * itself, then the protocol version and parameters); typed messages follow (Byte1 type, Int32
 * length counting itself). Each chunk is read where it lies in the relay buffer, by absolute
 * index, without copying; only the message headers are read.
 *
 * <p>A length below 4 is not the protocol: the framer is then {@link Position#LOST} for good.
 * The count can also stray the safe way: PostgreSQL ignores a Sync sent during COPY FROM STDIN,
 * so such a session awaits an answer that never comes. Either way the session is never taken for
 * idle again, and can be drained only at a deadline.
 */
public final class ClientMessages extends MessageFramer {
  /** Terminate: 'X', length 4, the client's last word. */
  private static final byte TERMINATE = 'X';

  /** Messages read so far that the backend answers with one ReadyForQuery each. */
  private long expectedReadyForQueries;
  /** Whether the last complete message was a Terminate. */
  private boolean terminated;

  public ClientMessages() {
    super(true);
  }

  /** A Terminate message, the bytes pgtls sends a backend whose session it ends cleanly. */
  public static byte[] terminate() {
    return new byte[] {TERMINATE, 0, 0, 0, 4};
  }

  @Override
  protected void header(byte type, int length) {
    if (answeredWithReadyForQuery(type)) {
      expectedReadyForQueries++; // counted once its header is in: the answer cannot come before the whole message
    }
  }

  @Override
  protected void completed(byte type, int length) {
    terminated = type == TERMINATE && length == 4;
  }

  /**
   * PostgreSQL sends ReadyForQuery after the login, after each Query (however many statements it
   * holds, error or not), each Sync (which also ends an extended-query error's skipping) and each
   * FunctionCall; after no other client message.
   */
  private static boolean answeredWithReadyForQuery(byte type) {
    return type == STARTUP || type == 'Q' || type == 'S' || type == 'F';
  }

  /** Whether the last complete message the client sent was a Terminate: it ended the session. */
  public boolean terminated() {
    return terminated;
  }

  /** Messages read so far that the backend answers with exactly one ReadyForQuery each. */
  public long expectedReadyForQueries() {
    return expectedReadyForQueries;
  }

  @Override
  public String toString() {
    return "ClientMessages{" + position() + " expected-rfq=" + expectedReadyForQueries + (terminated ? " terminated" : "") + "}";
  }
}
