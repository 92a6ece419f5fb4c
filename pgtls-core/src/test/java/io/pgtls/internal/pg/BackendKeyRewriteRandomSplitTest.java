package io.pgtls.internal.pg;

import static io.pgtls.internal.pg.BackendStreams.OTHER_PID;
import static io.pgtls.internal.pg.BackendStreams.PID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property: however the backend's stream is cut into reads, whatever the buffer size (heap or
 * direct) and however little the relay forwards each time, the client gets the same bytes as when
 * the whole stream is rewritten at once, and those are the stream built with the minted key.
 */
class BackendKeyRewriteRandomSplitTest {
  private static final int RUNS = 400;

  /** A backend stream and what the client must see, built side by side. */
  private static final class Streams {
    final ByteArrayOutputStream in = new ByteArrayOutputStream();
    final ByteArrayOutputStream expected = new ByteArrayOutputStream();

    void both(byte[] m) {
      in.writeBytes(m);
      expected.writeBytes(m);
    }
  }

  private enum Session {
    SHORT_KEY,
    LONG_KEY,
    UNENCODABLE_KEY,
    NO_KEY,
    LOGIN_FAILED
  }

  @Test
  void randomSplitsGiveTheSameStreamAsRewritingItWhole() {
    for (int run = 0; run < RUNS; run++) {
      long seed = 0x5EED_0000L + run;
      Random rnd = new Random(seed);
      Session session = Session.values()[rnd.nextInt(Session.values().length)];
      BackendKeyMinter minter =
          switch (session) {
            case SHORT_KEY -> BackendStreams::permuted;
            case LONG_KEY -> BackendStreams::sealed;
            default -> BackendStreams::unchanged;
          };
      Streams s = generate(rnd, session, minter);
      byte[] in = s.in.toByteArray();
      byte[] whole = BackendStreams.relay(new BackendKeyRewrite(minter), List.of(in), in.length + 300);
      assertThat(whole).as("seed %x, %s, whole", seed, session).isEqualTo(s.expected.toByteArray());

      int min = BackendKeyRewrite.MIN_BUFFER;
      int capacity = rnd.nextBoolean() ? min + rnd.nextInt(64) : min + rnd.nextInt(20_000);
      ByteBuffer buf = rnd.nextBoolean() ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
      BackendKeyRewrite r = new BackendKeyRewrite(minter);
      byte[] split = BackendStreams.relay(r, cut(rnd, in), buf, new Random(seed ^ 1));
      assertThat(split).as("seed %x, %s, capacity %d", seed, session, capacity).isEqualTo(whole);
    }
  }

  private static List<byte[]> cut(Random rnd, byte[] in) {
    List<byte[]> chunks = new ArrayList<>();
    int maxChunk = 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 40_000);
    for (int at = 0; at < in.length; ) {
      int n = Math.min(in.length - at, rnd.nextInt(maxChunk + 1));
      chunks.add(Arrays.copyOfRange(in, at, at + n));
      at += n;
    }
    return chunks;
  }

  private static Streams generate(Random rnd, Session session, BackendKeyMinter minter) {
    Streams s = new Streams();
    if (rnd.nextInt(4) == 0) {
      s.both(BackendStreams.message('v', new byte[] {0, 3, 0, 0, 0, 0, 0, 0}));
    }
    s.both(BackendStreams.message('R', new byte[] {0, 0, 0, 10, 'S', 'C', 'R', 'A', 'M', 0, 0}));
    s.both(BackendStreams.authOk());
    for (int i = rnd.nextInt(16); i > 0; i--) {
      s.both(BackendStreams.parameter("p" + i, "v".repeat(rnd.nextInt(40))));
    }
    if (session == Session.LOGIN_FAILED) {
      s.both(BackendStreams.error("too many connections"));
      return s;
    }
    int mintedPid = PID;
    if (session != Session.NO_KEY) {
      int keyLength =
          switch (session) {
            case SHORT_KEY -> 4;
            case LONG_KEY -> rnd.nextBoolean() ? 32 : 4 + rnd.nextInt(218);
            default -> rnd.nextBoolean() ? rnd.nextInt(4) : 222 + rnd.nextInt(35);
          };
      byte[] key = BackendStreams.key(keyLength, rnd.nextInt());
      BackendKeyMinter.Minted m = minter.mint(PID, key);
      s.in.writeBytes(BackendStreams.keyData(PID, key));
      s.expected.writeBytes(BackendStreams.keyData(m.pid(), m.key()));
      mintedPid = m.pid();
    }
    s.both(BackendStreams.ready());
    for (int i = rnd.nextInt(30); i > 0; i--) {
      switch (rnd.nextInt(5)) {
        case 0 -> {
          String payload = "x".repeat(rnd.nextInt(100));
          s.in.writeBytes(BackendStreams.notification(PID, "own", payload));
          s.expected.writeBytes(BackendStreams.notification(mintedPid, "own", payload));
        }
        case 1 -> s.both(BackendStreams.notification(OTHER_PID, "other", "y"));
        case 2 -> s.both(BackendStreams.dataRow(rnd.nextInt(10) == 0 ? 60_000 : rnd.nextInt(3000)));
        case 3 -> s.both(BackendStreams.message('C', BackendStreams.cstrings("SELECT 1")));
        default -> s.both(BackendStreams.ready());
      }
    }
    return s;
  }
}
