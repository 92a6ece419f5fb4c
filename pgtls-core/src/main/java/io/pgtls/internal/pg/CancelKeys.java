package io.pgtls.internal.pg;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Mints the cancel pid and key a client is told in BackendKeyData, and reads them back from a
 * CancelRequest, so that a cancel (which carries no server name) reaches the backend of the
 * session it cancels, on whichever pgtls replica it lands. Like PgBouncer, pgtls hands clients
 * keys of its own: when relaying BackendKeyData (pid, key) from route r's backend, the caller
 * sends {@link #mint mint(r, pid, key)} instead; for a CancelRequest (pid', key') it calls {@link
 * #open open(pid', key')} and forwards a CancelRequest with the decoded pid and key, unchanged
 * otherwise, to the decoded route's backend.
 *
 * <h2>Protocol 3.0: 4-byte keys</h2>
 *
 * The client carries 64 bits and the top bit of the pid must stay 0 (clients treat it as a pid;
 * negative pids broke PgBouncer's clients), so route id (9 bits, 0..511) ‖ backend pid (22 bits;
 * Linux's pid_max is at most 2^22) ‖ backend key (32 bits) are encrypted by {@link
 * CancelKeyFeistel}, a keyed permutation of 63 bits: pid' is the top 31 bits, key' the low 32.
 *
 * <ul>
 *   <li>Deterministic: one triple under one secret always mints the same pair, on every replica.
 *   <li>A bijection: two sessions never share a pair.
 *   <li>No redundancy: {@code open} decodes <em>every</em> pair with a non-negative pid to some
 *       triple and cannot tell a guess, another secret's pair or garbage from a minted pair. What
 *       holds instead: without the secret the decoded triple cannot be chosen, so a guessed pair
 *       names one of the 512 route ids at random and reaches a configured route's backend with
 *       probability (number of routes / 512). A route id naming no route is the signal to drop
 *       and log the cancel. On a backend, PostgreSQL's own check still applies: it signals a
 *       process only if the decoded pid is live and the decoded 32-bit key is that process's key
 *       (a wrong key is ignored and logged). So a guess is no more likely to cancel anything than
 *       a guess sent to PostgreSQL directly, where the attacker may even know the pid.
 *       Rate-limiting cancels is the caller's duty.
 * </ul>
 *
 * <h2>Protocol 3.2: long keys (PostgreSQL 18 sends 32 bytes)</h2>
 *
 * The pid stays the backend's real pid; the key becomes version ‖ 12-byte nonce ‖ AES-256-GCM of
 * (route id, 2 bytes ‖ backend pid, 4 ‖ backend key) ‖ 16-byte tag, authenticated together with
 * the pid ({@link CancelKeySeal}): 35 bytes plus the backend key, at most 256, so route ids up
 * to 65535 and backend keys up to 221 bytes fit (PostgreSQL 18's 32-byte key becomes 67 bytes).
 * {@code open} authenticates: a guessed, truncated or tampered key, one minted under another
 * secret, or one presented with another pid is rejected. Minting draws a fresh nonce each time,
 * so it is not deterministic, but any replica with the secret opens the key.
 *
 * <h2>Not encodable: passed through</h2>
 *
 * A 4-byte key with route id over 511 or backend pid outside 0..2^22−1 (possible on systems whose
 * pids exceed Linux's), a long key over 221 bytes or route id over 65535, and keys of 0..3 bytes,
 * which PostgreSQL never sends: {@code mint} returns {@link Minted.Kind#PASSED_THROUGH} with the
 * real pid and key. The caller then sends those, keeps its own map (pid, key) → route, and must
 * look a cancel up in that map <em>before</em> calling {@code open} (a 3.0 pair always decodes).
 * Only the replica holding the map can route such a cancel.
 *
 * <h2>What the client sees</h2>
 *
 * <ul>
 *   <li>3.0: a pid that is not the backend's (PQbackendPID, pgjdbc's getBackendPID). A
 *       NotificationResponse carries the sending backend's real pid, and clients compare it with
 *       their own pid, e.g. to ignore their own notifications. It is the <b>caller's duty</b> to
 *       rewrite, on each session, a NotificationResponse whose sender pid is that session's own
 *       backend pid to the session's minted pid. Other senders' pids stay real (their keys are
 *       unknown here), and a real pid equals a given minted pid with probability 2^−31. Query
 *       results cannot be rewritten: {@code pg_backend_pid()}, {@code pg_stat_activity.pid} and
 *       {@code pg_cancel_backend(pid)} use the real pid, so a client that passes its
 *       protocol-level pid to SQL will not find its own backend.
 *   <li>3.2: the real pid and an opaque key 35 bytes longer than the backend's. The protocol
 *       allows 256 and asks middleware to leave headroom; 221-byte backend keys leave none.
 * </ul>
 *
 * <h2>Across replicas</h2>
 *
 * Holds: replicas made {@link #fromSecret from the same secret bytes} that give the same route the
 * same route id (the id must come from configuration, e.g. an explicit id or the route's position
 * in the file, never from hash order or start-up timing) open each other's pairs, so a cancel the
 * load balancer sends to any replica reaches the right backend. Does not hold:
 *
 * <ul>
 *   <li>Passed-through sessions: only the minting replica knows them.
 *   <li>Different secrets ({@link #random()} in each replica, or a rotation in progress: there is
 *       one secret per instance and no grace period) or route ids that differ between replicas (a
 *       configuration rollout): a 3.2 cancel is rejected or reaches another route's backend, and a
 *       3.0 cancel decodes to an arbitrary triple. Either way the cancel is lost; it reaches no
 *       session but by PostgreSQL's 2^−32 key check, as for a guess.
 * </ul>
 *
 * <p>Immutable and thread-safe. The secret is not kept, only subkeys derived from it with HKDF
 * (RFC 5869) under distinct labels, one for the Feistel rounds and one for AES-GCM.
 */
public final class CancelKeys {
  /** 256 bits: the secret keys AES-256 and HMAC-SHA256. */
  public static final int MIN_SECRET_BYTES = 32;
  /** The key length of protocol 3.0; every other length takes the 3.2 path. */
  public static final int SHORT_KEY_BYTES = 4;
  public static final int MAX_SHORT_ROUTE_ID = (1 << 9) - 1;
  /** 2^22 − 1: Linux's largest pid_max is 2^22 and pids are below it. */
  public static final int MAX_SHORT_BACKEND_PID = (1 << 22) - 1;
  public static final int MAX_LONG_ROUTE_ID = CancelKeySeal.MAX_ROUTE_ID;
  public static final int MAX_LONG_BACKEND_KEY_BYTES = CancelKeySeal.MAX_BACKEND_KEY_BYTES;

  private static final byte[] FEISTEL_LABEL = label("pgtls cancel key v1: feistel rounds");
  private static final byte[] GCM_LABEL = label("pgtls cancel key v1: aes-256-gcm");

  private final CancelKeyFeistel feistel;
  private final CancelKeySeal seal;

  private CancelKeys(byte[] secret) {
    byte[] feistelKey = CancelKeyHkdf.derive(new byte[0], secret, FEISTEL_LABEL, 32);
    byte[] gcmKey = CancelKeyHkdf.derive(new byte[0], secret, GCM_LABEL, 32);
    this.feistel = new CancelKeyFeistel(feistelKey);
    this.seal = new CancelKeySeal(gcmKey);
    Arrays.fill(feistelKey, (byte) 0);
    Arrays.fill(gcmKey, (byte) 0);
  }

  /** Keys for replicas sharing {@code secret} (at least 32 bytes, e.g. from a secrets file). */
  public static CancelKeys fromSecret(byte[] secret) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the cancel-key secret must be at least "
              + MIN_SECRET_BYTES
              + " bytes (256 bits) of random data; got "
              + secret.length
              + " bytes");
    }
    return new CancelKeys(secret);
  }

  /** Keys under a fresh random secret: for one pgtls process; no other process opens them. */
  public static CancelKeys random() {
    byte[] secret = new byte[MIN_SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    try {
      return new CancelKeys(secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /**
   * The pid and key to tell the client instead of the backend's.
   *
   * @param routeId the route's stable id, ≥ 0 (a negative id is a bug: IllegalArgumentException)
   * @param backendKey the key bytes from the backend's BackendKeyData; not modified or kept
   */
  public Minted mint(int routeId, int backendPid, byte[] backendKey) {
    if (routeId < 0) {
      throw new IllegalArgumentException("route id must be >= 0: " + routeId);
    }
    int n = backendKey.length;
    if (n == SHORT_KEY_BYTES) {
      if (routeId > MAX_SHORT_ROUTE_ID || backendPid < 0 || backendPid > MAX_SHORT_BACKEND_PID) {
        return Minted.passedThrough(backendPid, backendKey);
      }
      long plain =
          ((long) routeId << 54) | ((long) backendPid << 32) | (readInt(backendKey) & 0xFFFF_FFFFL);
      long c = feistel.encrypt(plain);
      return new Minted(Minted.Kind.PERMUTED, (int) (c >>> 32), intBytes((int) c));
    }
    if (n < SHORT_KEY_BYTES || n > MAX_LONG_BACKEND_KEY_BYTES || routeId > MAX_LONG_ROUTE_ID) {
      return Minted.passedThrough(backendPid, backendKey);
    }
    return new Minted(Minted.Kind.SEALED, backendPid, seal.seal(routeId, backendPid, backendKey));
  }

  /**
   * The route, backend pid and backend key a client's CancelRequest (pid, key) was minted from;
   * empty when it cannot have been minted here: a 4-byte key with a negative pid, or a key of any
   * other length that fails authentication (so every key under 35 or over 256 bytes). A 4-byte key
   * with a non-negative pid always decodes (see the class comment): check that the route id names
   * a route, and look passed-through pairs up in the caller's own map first.
   */
  public Optional<Decoded> open(int pid, byte[] key) {
    if (key.length != SHORT_KEY_BYTES) {
      return seal.open(pid, key);
    }
    if (pid < 0) {
      return Optional.empty();
    }
    long plain = feistel.decrypt(((long) pid << 32) | (readInt(key) & 0xFFFF_FFFFL));
    int routeId = (int) (plain >>> 54);
    int backendPid = (int) (plain >>> 32) & MAX_SHORT_BACKEND_PID;
    return Optional.of(new Decoded(routeId, backendPid, intBytes((int) plain)));
  }

  private static int readInt(byte[] b) {
    return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  private static byte[] intBytes(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static byte[] label(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * What {@link #mint} tells the client: {@link Kind#PERMUTED} (3.0) or {@link Kind#SEALED} (3.2),
   * or {@link Kind#PASSED_THROUGH}: the backend's own pid and key, which the caller must map
   * itself. {@link #key()} returns a copy; {@link #toString()} omits the key bytes.
   */
  public record Minted(Kind kind, int pid, byte[] key) {
    public enum Kind {
      PERMUTED,
      SEALED,
      PASSED_THROUGH
    }

    public Minted {
      Objects.requireNonNull(kind, "kind");
      key = key.clone();
    }

    static Minted passedThrough(int pid, byte[] key) {
      return new Minted(Kind.PASSED_THROUGH, pid, key);
    }

    public boolean passedThrough() {
      return kind == Kind.PASSED_THROUGH;
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Minted m && m.kind == kind && m.pid == pid && Arrays.equals(m.key, key);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * kind.hashCode() + pid) + Arrays.hashCode(key);
    }

    @Override
    public String toString() {
      return "Minted[" + kind + ", pid=" + pid + ", key=" + key.length + " bytes]";
    }
  }

  /** What {@link #open} read: where to send the cancel and the pid and key to send. */
  public record Decoded(int routeId, int backendPid, byte[] backendKey) {
    public Decoded {
      backendKey = backendKey.clone();
    }

    @Override
    public byte[] backendKey() {
      return backendKey.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Decoded d
          && d.routeId == routeId
          && d.backendPid == backendPid
          && Arrays.equals(d.backendKey, backendKey);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * routeId + backendPid) + Arrays.hashCode(backendKey);
    }

    @Override
    public String toString() {
      return "Decoded[route=%d, pid=%d, key=%d bytes]"
          .formatted(routeId, backendPid, backendKey.length);
    }
  }
}
