package io.pgtls.internal.pg;

import static io.pgtls.internal.pg.BackendStreams.OTHER_PID;
import static io.pgtls.internal.pg.BackendStreams.PID;
import static io.pgtls.internal.pg.BackendStreams.authOk;
import static io.pgtls.internal.pg.BackendStreams.bytes;
import static io.pgtls.internal.pg.BackendStreams.chunks;
import static io.pgtls.internal.pg.BackendStreams.concat;
import static io.pgtls.internal.pg.BackendStreams.dataRow;
import static io.pgtls.internal.pg.BackendStreams.error;
import static io.pgtls.internal.pg.BackendStreams.key;
import static io.pgtls.internal.pg.BackendStreams.keyData;
import static io.pgtls.internal.pg.BackendStreams.message;
import static io.pgtls.internal.pg.BackendStreams.notification;
import static io.pgtls.internal.pg.BackendStreams.parameter;
import static io.pgtls.internal.pg.BackendStreams.ready;
import static io.pgtls.internal.pg.BackendStreams.relay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.pg.BackendKeyRewrite.State;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendKeyRewriteTest {
  private static final byte[] SHORT_KEY = key(4, 1);
  private static final byte[] LONG_KEY = key(32, 2);
  private static final BackendKeyMinter.Minted PERMUTED = BackendStreams.permuted(PID, SHORT_KEY);
  private static final BackendKeyMinter.Minted SEALED = BackendStreams.sealed(PID, LONG_KEY);

  private static byte[] startup(byte[] key) {
    return concat(
        authOk(),
        parameter("application_name", "psql"),
        parameter("client_encoding", "UTF8"),
        parameter("server_version", "18.0"),
        parameter("TimeZone", "Europe/Berlin"),
        key,
        ready());
  }

  private static final byte[] SHORT_STARTUP = startup(keyData(PID, SHORT_KEY));
  private static final byte[] SHORT_EXPECTED = startup(keyData(PERMUTED.pid(), PERMUTED.key()));
  private static final byte[] LONG_STARTUP = startup(keyData(PID, LONG_KEY));
  private static final byte[] LONG_EXPECTED = startup(keyData(PID, SEALED.key()));

  private static BackendKeyRewrite shortKeys() {
    return new BackendKeyRewrite(BackendStreams::permuted);
  }

  private static BackendKeyRewrite longKeys() {
    return new BackendKeyRewrite(BackendStreams::sealed);
  }

  @Test
  void startupStreamInOneChunkGetsTheMintedKey() {
    BackendKeyRewrite r = shortKeys();
    assertThat(relay(r, List.of(SHORT_STARTUP), 16384)).isEqualTo(SHORT_EXPECTED);
    assertThat(r.state()).isEqualTo(State.REWRITING_NOTIFICATIONS);
    assertThat(r.watching()).isTrue();
  }

  @Test
  void startupStreamSplitAtEveryByteBoundary() {
    for (byte[][] c : new byte[][][] {{SHORT_STARTUP, SHORT_EXPECTED}, {LONG_STARTUP, LONG_EXPECTED}}) {
      for (int cut = 0; cut <= c[0].length; cut++) {
        BackendKeyRewrite r = c[0] == SHORT_STARTUP ? shortKeys() : longKeys();
        assertThat(relay(r, chunks(c[0], cut), 16384)).as("cut at %d", cut).isEqualTo(c[1]);
      }
    }
  }

  @Test
  void startupStreamOneByteAtATime() {
    assertThat(relay(shortKeys(), bytes(SHORT_STARTUP), 16384)).isEqualTo(SHORT_EXPECTED);
    assertThat(relay(longKeys(), bytes(LONG_STARTUP), 16384)).isEqualTo(LONG_EXPECTED);
  }

  @Test
  void shortKeyIsRewrittenInPlaceWithTheMintedPidAndKey() {
    BackendKeyRewrite r = shortKeys();
    ByteBuffer buf = ByteBuffer.allocate(1024).put(SHORT_STARTUP);
    assertThat(r.process(buf)).isEqualTo(SHORT_STARTUP.length);
    assertThat(buf.position()).isEqualTo(SHORT_STARTUP.length);
    byte[] out = new byte[buf.position()];
    buf.get(0, out);
    assertThat(out).isEqualTo(SHORT_EXPECTED);
    assertThat(PERMUTED.pid()).isNotEqualTo(PID);
    assertThat(r.realPid()).isEqualTo(PID);
    assertThat(r.realKey()).isEqualTo(SHORT_KEY);
    assertThat(r.mintedPid()).isEqualTo(PERMUTED.pid());
    assertThat(r.mintedKey()).isEqualTo(PERMUTED.key());
    assertThat(r.passedThrough()).isFalse();
  }

  @Test
  void longKeyGrowsFrom32To67BytesAndEndsTheWatch() {
    BackendKeyRewrite r = longKeys();
    assertThat(relay(r, List.of(LONG_STARTUP), 16384)).isEqualTo(LONG_EXPECTED);
    assertThat(LONG_EXPECTED.length - LONG_STARTUP.length).isEqualTo(35);
    assertThat(r.mintedKey()).hasSize(67);
    assertThat(r.state()).isEqualTo(State.KEY_DONE);
    assertThat(r.watching()).isFalse();
  }

  @Test
  void longKeyGrowthWithTooLittleRoomLosesNothing() {
    // From a buffer the 'K' barely fits in (265 bytes at most) to one with room to spare.
    for (int capacity = 41; capacity <= LONG_STARTUP.length + 40; capacity++) {
      List<List<byte[]>> feeds = List.of(List.of(LONG_STARTUP), bytes(LONG_STARTUP));
      for (List<byte[]> feed : feeds) {
        BackendKeyRewrite r = longKeys();
        assertThat(relay(r, feed, capacity)).as("capacity %d", capacity).isEqualTo(LONG_EXPECTED);
        assertThat(r.state()).isEqualTo(State.KEY_DONE);
      }
    }
  }

  @Test
  void fullBufferWithTheKeyInFrontForwardsItsPrefixAndOwesTheRest() {
    int k = LONG_STARTUP.length - 6 - 41; // 'K' (41 bytes), then 'Z' (6)
    byte[] tail = java.util.Arrays.copyOfRange(LONG_STARTUP, k, LONG_STARTUP.length);
    BackendKeyRewrite r = longKeys();
    assertThat(r.process(ByteBuffer.allocate(400).put(LONG_STARTUP, 0, k))).isEqualTo(k);
    r.drained(k);
    ByteBuffer full = ByteBuffer.allocate(tail.length).put(tail);
    int first = r.process(full);
    assertThat(r.state()).isEqualTo(State.DELIVERING_KEY);
    assertThat(r.watching()).isTrue();
    assertThat(first).as("the 'K' but its last byte, before the owed tail").isEqualTo(tail.length - 1);
    byte[] sent = new byte[first];
    full.get(0, sent);
    assertThat(sent).isEqualTo(java.util.Arrays.copyOfRange(LONG_EXPECTED, k, k + first));
    full.flip().position(first);
    r.drained(first);
    assertThat(r.process(full.compact())).isEqualTo(LONG_EXPECTED.length - k - first);
    assertThat(r.state()).isEqualTo(State.KEY_DONE);
    byte[] rest = new byte[full.position()];
    full.get(0, rest);
    assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(LONG_EXPECTED, k + first, LONG_EXPECTED.length));
  }

  @Test
  void unencodableKeyPassesThroughAndEndsTheWatch() {
    BackendKeyRewrite r = new BackendKeyRewrite(BackendStreams::unchanged);
    assertThat(relay(r, List.of(SHORT_STARTUP), 1024)).isEqualTo(SHORT_STARTUP);
    assertThat(r.state()).isEqualTo(State.KEY_DONE);
    assertThat(r.watching()).isFalse();
    assertThat(r.passedThrough()).isTrue();
  }

  @Test
  void notificationFromTheSessionsOwnPidGetsTheMintedPid() {
    byte[] in = concat(SHORT_STARTUP, notification(PID, "jobs", "42"), ready());
    byte[] expected = concat(SHORT_EXPECTED, notification(PERMUTED.pid(), "jobs", "42"), ready());
    assertThat(relay(shortKeys(), List.of(in), 1024)).isEqualTo(expected);
  }

  @Test
  void notificationFromAnotherPidIsUntouched() {
    byte[] in = concat(SHORT_STARTUP, notification(OTHER_PID, "jobs", "42"));
    byte[] expected = concat(SHORT_EXPECTED, notification(OTHER_PID, "jobs", "42"));
    assertThat(relay(shortKeys(), List.of(in), 1024)).isEqualTo(expected);
  }

  @Test
  void notificationSplitAcrossChunksAtEveryBoundary() {
    byte[] a = notification(PID, "jobs", "a payload");
    byte[] in = concat(SHORT_STARTUP, dataRow(3), a, notification(OTHER_PID, "x", ""), a);
    byte[] mine = notification(PERMUTED.pid(), "jobs", "a payload");
    byte[] expected = concat(SHORT_EXPECTED, dataRow(3), mine, notification(OTHER_PID, "x", ""), mine);
    for (int cut = SHORT_STARTUP.length; cut <= in.length; cut++) {
      assertThat(relay(shortKeys(), chunks(in, SHORT_STARTUP.length, cut), 1024)).isEqualTo(expected);
    }
    assertThat(relay(shortKeys(), bytes(in), 1024)).isEqualTo(expected);
  }

  @Test
  void megabyteDataRowStreamHoldsBackAtMostAHeader() {
    BackendKeyRewrite r = shortKeys();
    ByteBuffer buf = ByteBuffer.allocate(16384).put(SHORT_STARTUP);
    r.drained(r.process(buf));
    buf.clear();
    byte[] rows = concat(dataRow(1 << 20), dataRow(1000), dataRow(1000), dataRow(1 << 20));
    long forwarded = 0;
    for (int at = 0; at < rows.length; ) {
      int n = Math.min(buf.remaining(), Math.min(7919, rows.length - at));
      buf.put(rows, at, n);
      at += n;
      int allowed = r.process(buf);
      assertThat(buf.position() - allowed).isLessThan(BackendKeyRewrite.HEADER);
      forwarded += allowed;
      buf.flip().position(allowed);
      buf.compact();
      r.drained(allowed);
    }
    assertThat(forwarded).isEqualTo(rows.length);
    assertThat(r.state()).isEqualTo(State.REWRITING_NOTIFICATIONS);
  }

  @Test
  void errorResponseBeforeTheKeyPassesEverything() {
    byte[] in = concat(authOk(), parameter("a", "b"), error("password authentication failed"));
    BackendKeyRewrite r = shortKeys();
    assertThat(relay(r, bytes(in), 1024)).isEqualTo(in);
    assertThat(r.state()).isEqualTo(State.LOGIN_FAILED);
    assertThat(r.hasKey()).isFalse();
  }

  @Test
  void readyForQueryWithoutAKeyEndsTheWatch() {
    byte[] in = concat(authOk(), parameter("a", "b"), ready(), notification(PID, "c", "d"));
    BackendKeyRewrite r = shortKeys();
    assertThat(relay(r, List.of(in), 1024)).isEqualTo(in);
    assertThat(r.state()).isEqualTo(State.NO_KEY);
    assertThatThrownBy(r::realPid).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void bogusLengthPassesEverythingAndReportsAProtocolError() {
    byte[] tooShort = {'S', 0, 0, 0, 3};
    byte[] tooLong = {'D', 0x40, 0, 0, 1};
    byte[] keyTooLong = message('K', new byte[4 + 257]);
    byte[] notificationWithoutPid = message('A', new byte[2]);
    for (byte[] bogus : List.of(tooShort, tooLong, keyTooLong)) {
      byte[] in = concat(authOk(), bogus, SHORT_STARTUP);
      BackendKeyRewrite r = shortKeys();
      assertThat(relay(r, bytes(in), 1024)).isEqualTo(in);
      assertThat(r.state()).isEqualTo(State.PROTOCOL_ERROR);
    }
    byte[] in = concat(SHORT_STARTUP, notificationWithoutPid, notification(PID, "c", "d"));
    BackendKeyRewrite r = shortKeys();
    byte[] out = relay(r, List.of(in), 1024);
    assertThat(out).isEqualTo(concat(SHORT_EXPECTED, notificationWithoutPid, notification(PID, "c", "d")));
    assertThat(r.state()).isEqualTo(State.PROTOCOL_ERROR);
  }

  @Test
  void shorterMintedKeyMovesTheRestBack() {
    BackendKeyRewrite r = new BackendKeyRewrite((pid, k) -> new BackendKeyMinter.Minted(pid, new byte[] {1, 2, 3, 4}));
    assertThat(relay(r, bytes(LONG_STARTUP), 1024)).isEqualTo(startup(keyData(PID, new byte[] {1, 2, 3, 4})));
  }

  @Test
  void minterThatChangesBothPidAndKeyLengthIsRefused() {
    BackendKeyRewrite r = new BackendKeyRewrite((pid, k) -> new BackendKeyMinter.Minted(pid + 1, new byte[8]));
    assertThatThrownBy(() -> r.process(ByteBuffer.allocate(1024).put(SHORT_STARTUP)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void bufferTooSmallForTheKeyIsACallerBugNotAStall() {
    byte[] k = keyData(PID, key(256, 3));
    BackendKeyRewrite r = longKeys();
    assertThatThrownBy(() -> r.process(ByteBuffer.allocate(BackendKeyRewrite.MIN_BUFFER - 1).put(k, 0, 264)))
        .isInstanceOf(IllegalArgumentException.class);
    BackendKeyRewrite fits = new BackendKeyRewrite(BackendStreams::unchanged);
    assertThat(fits.process(ByteBuffer.allocate(BackendKeyRewrite.MIN_BUFFER).put(k))).isEqualTo(k.length);
  }

  @Test
  void drainingMoreThanWasForwardableIsACallerBug() {
    BackendKeyRewrite r = shortKeys();
    ByteBuffer buf = ByteBuffer.allocate(1024).put(SHORT_STARTUP, 0, 20);
    int allowed = r.process(buf);
    assertThatThrownBy(() -> r.drained(allowed + 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
