package io.pgtls.internal.pg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Watches the client's first messages for a SASLInitialResponse that chooses
 * SCRAM-SHA-256-PLUS, on a route where that cannot succeed: the client binds to the certificate
 * it saw (pgtls's, RFC 5929 tls-server-end-point), the backend checks against its own, and the two
 * differ. The watch holds back the message until it can tell, so that pgtls can answer with its
 * own FATAL instead of the backend's bare "SCRAM channel binding check failed".
 *
 * <p>Stream: the StartupMessage (untyped, its length known), then typed messages ('p' for
 * authentication responses). Only the first typed message matters: a SASLInitialResponse names
 * its mechanism first; anything else means this session does not use SASL.
 */
public final class ScramPlusWatch {
  /** What the watch decided. */
  public enum Verdict {
    /** Not known yet: forward only {@link #forwardable} bytes. */
    UNDECIDED,
    /** No channel binding chosen: forward everything, stop watching. */
    PASS,
    /** The client chose SCRAM-SHA-256-PLUS: refuse the session. */
    REFUSE
  }

  static final String PLUS = "SCRAM-SHA-256-PLUS";
  private static final int HEADER = 5;

  private Verdict verdict = Verdict.UNDECIDED;
  /** Bytes of the current (already judged) message still to pass. */
  private int skip;
  /** Bytes at the start of the undrained stream already judged forwardable. */
  private int judged;

  /** @param startupLength the length of the StartupMessage at the start of the stream */
  public ScramPlusWatch(int startupLength) {
    this.skip = startupLength;
  }

  public Verdict verdict() {
    return verdict;
  }

  /**
   * How many leading bytes of {@code view} (read mode: the undrained client-to-backend bytes) may
   * be forwarded now. Call {@link #drained} with what was actually forwarded.
   */
  public int forwardable(ByteBuffer view) {
    int p = view.position();
    int size = view.remaining();
    while (verdict == Verdict.UNDECIDED) {
      int available = size - judged;
      if (skip > 0) {
        int n = Math.min(skip, available);
        skip -= n;
        judged += n;
        if (skip > 0) {
          return judged;
        }
        continue;
      }
      if (available < HEADER) {
        return judged;
      }
      byte type = view.get(p + judged);
      if (type != 'p') {
        verdict = Verdict.PASS; // trust, or another exchange: no SASL from this client
        break;
      }
      int bodyEnd = Math.min(size, p + judged + 1 + Math.max(4, view.getInt(p + judged + 1)));
      int nul = -1;
      for (int i = p + judged + HEADER; i < bodyEnd && i < p + judged + HEADER + PLUS.length() + 1; i++) {
        if (view.get(i) == 0) {
          nul = i;
          break;
        }
      }
      if (nul < 0) {
        if (bodyEnd - (p + judged + HEADER) > PLUS.length()) {
          verdict = Verdict.PASS; // a longer name, or a password: not SCRAM-SHA-256-PLUS
          break;
        }
        return judged; // the mechanism name has not fully arrived: hold this message back
      }
      byte[] name = new byte[nul - (p + judged + HEADER)];
      for (int i = 0; i < name.length; i++) {
        name[i] = view.get(p + judged + HEADER + i);
      }
      verdict = PLUS.equals(new String(name, StandardCharsets.US_ASCII)) ? Verdict.REFUSE : Verdict.PASS;
    }
    return verdict == Verdict.PASS ? size : judged;
  }

  /** Records that {@code n} leading bytes were forwarded. */
  public void drained(int n) {
    judged = Math.max(0, judged - n);
  }

  @Override
  public String toString() {
    return "ScramPlusWatch{" + verdict + " judged=" + judged + " skip=" + skip + "}";
  }
}
