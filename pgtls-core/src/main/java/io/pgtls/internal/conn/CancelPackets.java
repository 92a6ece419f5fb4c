package io.pgtls.internal.conn;

import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.pg.StartupCodes;
import io.pgtls.internal.route.CompiledListener;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A CancelRequest on a listener that mints cancel keys: its key names the route and the backend's
 * own pid and key (CancelKeys), which replace the client's in the packet before it is forwarded.
 */
final class CancelPackets {
  private CancelPackets() {}

  /**
   * Reads the CancelRequest of {@code length} bytes at the start of {@code buf}; when its key was
   * minted by {@code listener}, rewrites it in place to the backend's own values and returns the
   * target; else returns empty and leaves the buffer as it was.
   */
  static Optional<CompiledListener.CancelTarget> retarget(PooledBuffer buf, int length, CompiledListener listener) {
    ByteBuffer packet = buf.view();
    int at = packet.position();
    int pid = packet.getInt(at + 8);
    byte[] key = new byte[length - 12];
    packet.get(at + 12, key);
    Optional<CompiledListener.CancelTarget> target = listener.cancelTarget(pid, key);
    target.ifPresent(t -> {
      buf.release();
      buf.prepare().putInt(12 + t.backendKey().length).putInt(StartupCodes.CANCEL_REQUEST).putInt(t.backendPid())
          .put(t.backendKey());
    });
    return target;
  }
}
