package io.pgtls.internal.pg;

import java.nio.ByteBuffer;

/**
 * Frames one direction of a session's PostgreSQL protocol 3 stream, chunk by chunk as it is read:
 * typed messages (Byte1 type, Int32 length that counts itself but not the type byte, then the
 * body), the client's stream starting with the untyped StartupMessage. Each chunk is read where
 * it lies in the relay buffer, by absolute index, without copying; only the headers (and, for a
 * subclass that asks, a body's first byte) are read, a few operations per message. A subclass
 * learns of each message through {@link #header}, {@link #firstBodyByte} and {@link #completed}.
 *
 * <p>A length below 4 is not the protocol: the framer is then {@link Position#LOST} for good.
 */
public abstract class MessageFramer {
  /** Where the stream read so far ends. */
  public enum Position {
    /** Right after a complete message (or at the start of a typed stream). */
    AT_BOUNDARY,
    /** Inside a message's header (the StartupMessage's is its length alone). */
    IN_HEADER,
    /** Inside a message's body. */
    IN_BODY,
    /** A length below 4 was read: the framing is lost for the rest of the session. */
    LOST
  }

  /** Byte1 type and Int32 length: the header of every typed message. */
  private static final int HEADER = 5;
  /** The StartupMessage's type, as framed here: it has none, so its header is its length alone. */
  protected static final byte STARTUP = 0;

  private Position position;
  /** The current message's type byte and length field (built byte by byte across chunks). */
  private byte type;
  private int length;
  /** Header bytes of the current message read so far, while {@link Position#IN_HEADER}. */
  private int headerRead;
  /** Body bytes of the current message still to come, while {@link Position#IN_BODY}. */
  private int bodyLeft;

  /** @param startsWithStartupMessage whether the stream begins with the untyped StartupMessage (the client's) */
  protected MessageFramer(boolean startsWithStartupMessage) {
    if (startsWithStartupMessage) {
      // As if the StartupMessage's type byte had been read: its header is its length alone.
      position = Position.IN_HEADER;
      type = STARTUP;
      headerRead = 1;
    } else {
      position = Position.AT_BOUNDARY;
    }
  }

  /** Frames the bytes at absolute indices [from, to) of {@code chunk}, the next ones of the stream. */
  public final void feed(ByteBuffer chunk, int from, int to) {
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
          if (bodyLeft == length - 4) {
            firstBodyByte(type, length, chunk.get(p));
          }
          p += n;
          bodyLeft -= n;
          if (bodyLeft == 0) {
            position = Position.AT_BOUNDARY;
            completed(type, length);
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
      lost();
      return;
    }
    header(type, length);
    bodyLeft = length - 4;
    if (bodyLeft == 0) {
      position = Position.AT_BOUNDARY;
      completed(type, length);
    } else {
      position = Position.IN_BODY;
    }
  }

  /** A message's header is in: its {@code type} ({@link #STARTUP} for the StartupMessage) and {@code length}. */
  protected void header(byte type, int length) {}

  /** The first byte of a message's body (only for messages with a body). */
  protected void firstBodyByte(byte type, int length, byte first) {}

  /** A message is complete. */
  protected void completed(byte type, int length) {}

  /** The framing was lost (a length below 4). */
  protected void lost() {}

  public final Position position() {
    return position;
  }
}
