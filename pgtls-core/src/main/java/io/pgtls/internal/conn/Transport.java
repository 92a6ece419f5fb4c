package io.pgtls.internal.conn;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectableChannel;

/**
 * The byte stream under a {@link Leg}: a socket in production, an in-memory pipe in the core's
 * tests. Reads and writes are non-blocking: 0 means "not now".
 */
interface Transport extends ByteChannel {
  /** Sends FIN: the peer reads EOF once everything written before has arrived. */
  void shutdownOutput() throws IOException;

  /** Completes a non-blocking connect; false while it is still in progress. */
  boolean finishConnect() throws IOException;

  /** What a selector registers, or null for a transport no selector watches. */
  SelectableChannel selectable();
}
