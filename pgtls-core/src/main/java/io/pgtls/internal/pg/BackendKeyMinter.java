package io.pgtls.internal.pg;

import java.util.Arrays;
import java.util.Objects;

/**
 * Chooses the pid and key a client is told in BackendKeyData instead of the backend's, for {@link
 * BackendKeyRewrite}. Production mints with {@link #of(CancelKeys, int)}; tests pass a fake.
 *
 * <p>Rules the rewrite relies on (CancelKeys keeps both): the minted key is at most {@value
 * #MAX_KEY_BYTES} bytes (the protocol's limit), and a key of another length than the backend's
 * comes with the backend's own pid (3.2 keeps the pid; only 3.0's 4-byte keys get another pid).
 */
@FunctionalInterface
public interface BackendKeyMinter {
  /** The longest cancel key protocol 3.2 allows in BackendKeyData and CancelRequest. */
  int MAX_KEY_BYTES = 256;

  /**
   * The pid and key to tell the client; the backend's own pid and key to pass them through.
   *
   * @param key the backend's key bytes; the minter may keep or modify them
   */
  Minted mint(int pid, byte[] key);

  /** Mints with {@link CancelKeys#mint} for the route {@code routeId}. */
  static BackendKeyMinter of(CancelKeys keys, int routeId) {
    Objects.requireNonNull(keys, "keys");
    return (pid, key) -> {
      CancelKeys.Minted m = keys.mint(routeId, pid, key);
      return new Minted(m.pid(), m.key());
    };
  }

  /** A pid and key for BackendKeyData; {@link #key()} returns a copy. */
  record Minted(int pid, byte[] key) {
    public Minted {
      key = key.clone();
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Minted m && m.pid == pid && Arrays.equals(m.key, key);
    }

    @Override
    public int hashCode() {
      return 31 * pid + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
      return "Minted[pid=" + pid + ", key=" + key.length + " bytes]";
    }
  }
}
