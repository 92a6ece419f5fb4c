package io.pgtls.internal.pg;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Rewrites the backend-to-client plaintext of one session so that the client sees a minted cancel
 * pid and key ({@link BackendKeyMinter}) instead of the backend's: the BackendKeyData ('K') and,
 * when the minted pid is not the backend's (3.0), the sender pid of every later
 * NotificationResponse ('A') that the session's own backend sent, so the client still recognises
 * its own notifications. Other senders' pids stay. No I/O: it edits the relay buffer in place.
 *
 * <p>Calling contract. {@code buf} is the relay buffer in write mode, its undrained data at [0,
 * position), the caller draining from the front. {@link #process} rewrites what it can and returns
 * how many leading bytes are final and may be forwarded now; the caller forwards at most that many
 * and reports them with {@link #drained}, and calls {@code process} again before forwarding more
 * (reads may come between). Bytes behind the returned count are either an incomplete 'K' or 'A'
 * prefix (read more) or wait behind the tail of a longer key (drain first): with the data empty
 * there is room, and with it full something is forwardable, so the relay never stalls. Once
 * {@link #watching()} is false nothing is left to rewrite and the caller stops calling:
 * everything is forwardable.
 *
 * <p>Cost: a message of another type is forwarded as it arrives, even in part; only its 5-byte
 * header is held until complete. Only 'K' (at most 265 bytes) is held whole, and of 'A' its first
 * 9 bytes (type, length, pid), so the buffer must hold {@link #MIN_BUFFER} bytes. Nothing is
 * copied or allocated per message but for 'K'.
 */
public final class BackendKeyRewrite {
  /** Where the session's stream stands. */
  public enum State {
    /** Startup: watching for BackendKeyData. */
    AWAITING_KEY,
    /** A longer key was written, but its tail waits for room in the buffer. */
    DELIVERING_KEY,
    /** 3.0 with a minted pid: rewriting the session's own pid in NotificationResponse. */
    REWRITING_NOTIFICATIONS,
    /** The key was rewritten (or passed through) and the pid kept: nothing more to do. */
    KEY_DONE,
    /** ReadyForQuery before any BackendKeyData: this server sends no key. */
    NO_KEY,
    /** ErrorResponse before BackendKeyData: the login failed and the session ends. */
    LOGIN_FAILED,
    /** A message length outside 4..1 GB: not the protocol; the rest passes unchanged. */
    PROTOCOL_ERROR;

    boolean watching() {
      return this == AWAITING_KEY || this == DELIVERING_KEY || this == REWRITING_NOTIFICATIONS;
    }
  }

  /** Byte1 type + Int32 length: the header of every typed message. */
  static final int HEADER = 5;
  /** PostgreSQL allocates no message larger than MaxAllocSize (1 GB - 1). */
  static final int MAX_LENGTH = 1 << 30;
  /** BackendKeyData: Int32 length + Int32 pid precede the key, so length = 8 + key bytes. */
  private static final int KEY_OVERHEAD = 8;
  /** The longest BackendKeyData, held whole: the relay buffer must be at least this large. */
  public static final int MIN_BUFFER = 1 + KEY_OVERHEAD + BackendKeyMinter.MAX_KEY_BYTES;

  private final BackendKeyMinter minter;
  private State state = State.AWAITING_KEY;
  /** Leading bytes of the undrained data judged forwardable. */
  private int judged;
  /** Bytes of the current pass-through message beyond {@link #judged}. */
  private int skip;
  /** Final bytes that belong right after {@link #judged}: the tail of a longer key. */
  private OwedTail owed = new OwedTail(new byte[0]);

  private int realPid;
  private int mintedPid;
  private byte[] realKey;
  private byte[] mintedKey;

  public BackendKeyRewrite(BackendKeyMinter minter) {
    this.minter = Objects.requireNonNull(minter, "minter");
  }

  public State state() {
    return state;
  }

  /** Whether {@link #process} must still see the stream; false once nothing is left to rewrite. */
  public boolean watching() {
    return state.watching();
  }

  /**
   * Rewrites complete 'K' and 'A' messages in {@code buf} (write mode, data at [0, position)),
   * moving the bytes behind when a key changes length, and returns how many leading bytes may be
   * forwarded now (all of them once the watch has ended).
   *
   * @throws IllegalStateException if the minter breaks its rules (see {@link BackendKeyMinter})
   */
  public int process(ByteBuffer buf) {
    if (state == State.DELIVERING_KEY) {
      deliverOwed(buf);
    }
    while (state == State.AWAITING_KEY || state == State.REWRITING_NOTIFICATIONS) {
      int available = buf.position() - judged;
      if (skip > 0) {
        int n = Math.min(skip, available);
        skip -= n;
        judged += n;
        if (skip > 0) {
          return judged; // the rest of a message that passes unchanged
        }
        continue;
      }
      if (available < 1) {
        return judged;
      }
      byte type = buf.get(judged);
      if (state == State.AWAITING_KEY && type == 'E') {
        state = State.LOGIN_FAILED; // a startup ErrorResponse is FATAL (or a v2 error, no length)
        break;
      }
      if (state == State.AWAITING_KEY && type == 'Z') {
        state = State.NO_KEY; // ReadyForQuery: the startup is over and no key came
        break;
      }
      if (available < HEADER) {
        return judged;
      }
      int length = buf.getInt(judged + 1); // counts itself, not the type byte
      if (length < 4 || length > MAX_LENGTH) {
        state = State.PROTOCOL_ERROR;
        break;
      }
      if (state == State.AWAITING_KEY && type == 'K') {
        if (length > KEY_OVERHEAD + BackendKeyMinter.MAX_KEY_BYTES || length < KEY_OVERHEAD) {
          state = State.PROTOCOL_ERROR; // no pid, or a key over 3.2's 256 bytes
          break;
        }
        if (available < 1 + length) {
          if (1 + length > buf.limit()) {
            throw new IllegalArgumentException(
                "a %d-byte buffer cannot hold a %d-byte BackendKeyData; %d bytes always can"
                    .formatted(buf.limit(), 1 + length, MIN_BUFFER));
          }
          return judged;
        }
        rewriteKey(buf, length);
        continue;
      }
      if (state == State.REWRITING_NOTIFICATIONS && type == 'A') {
        if (length < 8) {
          state = State.PROTOCOL_ERROR; // NotificationResponse starts with Int32 sender pid
          break;
        }
        if (available < HEADER + 4) {
          return judged;
        }
        if (buf.getInt(judged + HEADER) == realPid) {
          buf.putInt(judged + HEADER, mintedPid);
        }
      }
      skip = 1 + length;
    }
    return forwardable(buf);
  }

  /**
   * While a key's tail is owed, the byte before it stays in the buffer: a caller whose buffer is
   * empty is owed nothing (it may close after a backend EOF), and there is always a byte to swap.
   */
  private int forwardable(ByteBuffer buf) {
    return switch (state) {
      case DELIVERING_KEY -> judged - 1;
      case AWAITING_KEY, REWRITING_NOTIFICATIONS -> judged;
      default -> buf.position();
    };
  }

  /** Records that the caller forwarded {@code n} leading bytes (at most what process allowed). */
  public void drained(int n) {
    if (n < 0 || (watching() && n > (state == State.DELIVERING_KEY ? judged - 1 : judged))) {
      throw new IllegalArgumentException("drained " + n + " bytes; " + judged + " were forwardable");
    }
    judged = Math.max(0, judged - n);
  }

  /** Replaces the complete BackendKeyData at {@link #judged}; its length field is {@code length}. */
  private void rewriteKey(ByteBuffer buf, int length) {
    int at = judged;
    realPid = buf.getInt(at + HEADER);
    realKey = new byte[length - KEY_OVERHEAD];
    buf.get(at + HEADER + 4, realKey);
    BackendKeyMinter.Minted minted = minter.mint(realPid, realKey.clone());
    mintedPid = minted.pid();
    mintedKey = minted.key();
    if (mintedKey.length > BackendKeyMinter.MAX_KEY_BYTES
        || (mintedKey.length != realKey.length && mintedPid != realPid)) {
      throw new IllegalStateException("the minter broke its rules: " + minted);
    }
    int end = at + 1 + length;
    int newLength = KEY_OVERHEAD + mintedKey.length;
    int inPlace = Math.min(mintedKey.length, realKey.length);
    if (newLength < length) {
      OwedTail.move(buf, end, end - (length - newLength), buf.position() - end); // a shorter key
      buf.position(buf.position() - (length - newLength));
    }
    buf.putInt(at + 1, newLength).putInt(at + HEADER, mintedPid).put(at + HEADER + 4, mintedKey, 0, inPlace);
    judged = at + 1 + KEY_OVERHEAD + inPlace;
    if (mintedPid != realPid) {
      state = State.REWRITING_NOTIFICATIONS; // 3.0: the client must still know its notifications
    } else if (mintedKey.length > realKey.length) {
      owed = new OwedTail(Arrays.copyOfRange(mintedKey, inPlace, mintedKey.length));
      state = State.DELIVERING_KEY;
      deliverOwed(buf);
    } else {
      state = State.KEY_DONE; // same pid: a NotificationResponse needs no change
    }
  }

  /** Places what fits of the owed key tail right after {@link #judged}. */
  private void deliverOwed(ByteBuffer buf) {
    judged = owed.deliver(buf, judged);
    if (owed.isEmpty()) {
      state = State.KEY_DONE;
    }
  }

  /** Whether a BackendKeyData has been rewritten (the key accessors are set). */
  public boolean hasKey() {
    return realKey != null;
  }

  /** Whether the client was told the backend's own pid and key (nothing minted). */
  public boolean passedThrough() {
    return hasKey() && realPid == mintedPid && Arrays.equals(realKey, mintedKey);
  }

  public int realPid() {
    requireKey();
    return realPid;
  }

  public byte[] realKey() {
    requireKey();
    return realKey.clone();
  }

  public int mintedPid() {
    requireKey();
    return mintedPid;
  }

  public byte[] mintedKey() {
    requireKey();
    return mintedKey.clone();
  }

  private void requireKey() {
    if (!hasKey()) {
      throw new IllegalStateException("no BackendKeyData yet (" + state + ")");
    }
  }

  @Override
  public String toString() {
    return "BackendKeyRewrite{" + state + " judged=" + judged + " skip=" + skip + " owed=" + owed.length() + "}";
  }
}
