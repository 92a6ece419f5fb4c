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
public final class ClientMessages {
  /** Where the stream read so far ends. */
  public enum Position {
    /** Right after a complete message. */
    AT_BOUNDARY,
    /** Inside a message's header (the StartupMessage's starts with its length). */
    IN_HEADER,
    /** Inside a message's body. */
    IN_BODY,
    /** A length below 4 was read: the framing is lost for the rest of the session. */
    LOST
  }

  /** Byte1 type and Int32 length: the header of every typed message. */
  private static final int HEADER = 5;
  /** The StartupMessage's type, as framed here: it has none, so its header is its length alone. */
  private static final byte STARTUP = 0;

  private Position position = Position.IN_HEADER;
  /** The current message's type byte and length field (built byte by byte across chunks). */
  private byte type = STARTUP;
  private int length;
  /** Header bytes of the current message read so far; the StartupMessage starts as if its type byte were read. */
  private int headerRead = 1;
  /** Body bytes of the current message still to come, while {@link Position#IN_BODY}. */
  private int bodyLeft;
  /** Messages read so far that the backend answers with one ReadyForQuery each. */
  private long expectedReadyForQueries;

  /** Frames the bytes at absolute indices [from, to) of {@code chunk}, the next ones of the stream. */
  public void feed(ByteBuffer chunk, int from, int to) {
    int p = from;
    while (p < to) {
      switch (position) {
        case AT_BOUNDARY:
          if (to - p >= HEADER) {
            type = chunk.get(p);
            length = chunk.getInt(p + 1);
            p += HEADER;
            headerDone();
          } else {
            type = chunk.get(p++);
            length = 0;
            headerRead = 1;
            position = Position.IN_HEADER;
          }
          break;
        case IN_HEADER:
          length = (length << 8) | (chunk.get(p++) & 0xFF); // Int32 in network byte order
          if (++headerRead == HEADER) {
            headerDone();
          }
          break;
        case IN_BODY:
          int n = Math.min(bodyLeft, to - p);
          p += n;
          bodyLeft -= n;
          if (bodyLeft == 0) {
            position = Position.AT_BOUNDARY;
          }
          break;
        default:
          return; // LOST
      }
    }
  }

  private void headerDone() {
    if (length < 4) {
      position = Position.LOST; // the length counts itself: below 4 is not PostgreSQL's framing
      return;
    }
    if (answeredWithReadyForQuery(type)) {
      expectedReadyForQueries++; // counted once its header is in: the answer cannot come before the whole message
    }
    bodyLeft = length - 4;
    position = bodyLeft == 0 ? Position.AT_BOUNDARY : Position.IN_BODY;
  }

  /**
   * PostgreSQL sends ReadyForQuery after the login, after each Query (however many statements it
   * holds, error or not), each Sync (which also ends an extended-query error's skipping) and each
   * FunctionCall; after no other client message.
   */
  private static boolean answeredWithReadyForQuery(byte type) {
    return type == STARTUP || type == 'Q' || type == 'S' || type == 'F';
  }

  public Position position() {
    return position;
  }

  /** Messages read so far that the backend answers with exactly one ReadyForQuery each. */
  public long expectedReadyForQueries() {
    return expectedReadyForQueries;
  }

  @Override
  public String toString() {
    return "ClientMessages{" + position + " expected-rfq=" + expectedReadyForQueries + "}";
  }
}
