package io.pgtls.internal.pg;

import java.nio.ByteBuffer;

/**
 * Frames the backend-to-client stream of one session, chunk by chunk as it is read, and remembers
 * whether the last complete message was a ReadyForQuery and with which transaction status: what
 * tells a session at rest between transactions from one in the middle of a query or inside a
 * transaction block. The messages PostgreSQL may send at any time, even to an idle session
 * (NotificationResponse, NoticeResponse, ParameterStatus: its "asynchronous operations"), say
 * nothing about that and leave it as it was: a session that LISTENs stays idle as notifications
 * arrive.
 *
 * <p>The stream starts at a message boundary: what a backend sends after the StartupMessage is
 * typed messages (PostgreSQL protocol 3: Byte1 type, Int32 length that counts itself but not the
 * type byte, then the body). Each chunk is read where it lies in the relay buffer, by absolute
 * index, without copying; only the message headers are read, a few operations per message.
 *
 * <p>A length below 4 is not the protocol: the framer is then {@link Position#LOST} for good and
 * never reports the session idle again. Such a session cannot be drained at idle, only at a drain
 * deadline.
 */
public final class BackendMessages extends MessageFramer {
  /** What the last complete message was, the asynchronous ones aside. */
  public enum Last {
    /** Another message than a ReadyForQuery, or none yet. */
    OTHER,
    /** ReadyForQuery 'I': idle, outside any transaction block. */
    READY_IDLE,
    /** ReadyForQuery 'T': inside a transaction block. */
    READY_IN_TRANSACTION,
    /** ReadyForQuery 'E': inside a failed transaction block (queries refused until it ends). */
    READY_IN_FAILED_TRANSACTION
  }

  /** ReadyForQuery: 'Z', length 5 (itself and the one status byte). */
  private static final byte READY_FOR_QUERY = 'Z';
  private static final int READY_FOR_QUERY_LENGTH = 5;

  private Last last = Last.OTHER;
  /** The current ReadyForQuery's status byte, once read. */
  private byte status;
  /** ReadyForQuery messages completed so far, of any status. */
  private long readyForQueries;

  public BackendMessages() {
    super(false);
  }

  @Override
  protected void firstBodyByte(byte type, int length, byte first) {
    if (type == READY_FOR_QUERY && length == READY_FOR_QUERY_LENGTH) {
      status = first; // the body is the one status byte
    }
  }

  @Override
  protected void completed(byte type, int length) {
    if (type == READY_FOR_QUERY && length == READY_FOR_QUERY_LENGTH) {
      last = statusOf(status);
      if (last != Last.OTHER) {
        readyForQueries++;
      }
    } else if (!asynchronous(type)) {
      last = Last.OTHER;
    }
  }

  @Override
  protected void lost() {
    last = Last.OTHER;
  }

  /**
   * NotificationResponse ('A'), NoticeResponse ('N') and ParameterStatus ('S'): PostgreSQL may
   * send them whether or not a query runs, so they do not tell where the session stands.
   */
  private static boolean asynchronous(byte type) {
    return type == 'A' || type == 'N' || type == 'S';
  }

  /** ReadyForQuery's transaction status indicator: 'I', 'T' or 'E'; anything else is not one. */
  private static Last statusOf(byte status) {
    return switch (status) {
      case 'I' -> Last.READY_IDLE;
      case 'T' -> Last.READY_IN_TRANSACTION;
      case 'E' -> Last.READY_IN_FAILED_TRANSACTION;
      default -> Last.OTHER;
    };
  }

  /**
   * Whether the last complete message (asynchronous ones aside) is ReadyForQuery 'I', and the
   * stream is between messages.
   */
  public boolean idleAtBoundary() {
    return position() == Position.AT_BOUNDARY && last == Last.READY_IDLE;
  }

  public Last last() {
    return last;
  }

  /** ReadyForQuery messages completed so far, of any status: one answers each Query, Sync, FunctionCall and the login. */
  public long readyForQueries() {
    return readyForQueries;
  }

  @Override
  public String toString() {
    return "BackendMessages{" + position() + " " + last + " rfq=" + readyForQueries + "}";
  }
}
