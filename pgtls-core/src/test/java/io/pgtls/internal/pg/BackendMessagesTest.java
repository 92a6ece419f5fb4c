package io.pgtls.internal.pg;

import static io.pgtls.internal.pg.BackendStreams.concat;
import static io.pgtls.internal.pg.BackendStreams.dataRow;
import static io.pgtls.internal.pg.BackendStreams.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.pg.BackendMessages.Last;
import io.pgtls.internal.pg.MessageFramer.Position;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The framer of the backend's stream, fed the way the relay feeds it: chunks at absolute indices
 * of a larger buffer, split wherever the reads happened to end.
 */
class BackendMessagesTest {
  /** A query's whole answer: RowDescription, two DataRows, CommandComplete, ReadyForQuery. */
  private static final byte[] RESULT = concat(message('T', new byte[21]), dataRow(3), dataRow(40),
      message('C', BackendStreams.cstrings("SELECT 2")), ready('I'));

  static byte[] ready(char status) {
    return message('Z', new byte[] {(byte) status});
  }

  /** Feeds {@code bytes[from, to)} from inside a buffer with other bytes around it, as a relay buffer holds them. */
  private static void feed(BackendMessages framer, byte[] bytes, int from, int to) {
    ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 20);
    Arrays.fill(buffer.array(), (byte) 'Z'); // what lies outside [from, to) must never be read
    buffer.position(7);
    buffer.put(bytes, from, to - from);
    framer.feed(buffer, 7, 7 + to - from);
  }

  @Test
  void aResultSplitInTwoAtEveryBytePositionIsIdleOnlyOnceItsReadyForQueryIsWhole() {
    for (int split = 0; split <= RESULT.length; split++) {
      BackendMessages framer = new BackendMessages();
      feed(framer, RESULT, 0, split);
      assertThat(framer.idleAtBoundary()).as("after %d of %d bytes", split, RESULT.length)
          .isEqualTo(split == RESULT.length);
      feed(framer, RESULT, split, RESULT.length);
      assertThat(framer.idleAtBoundary()).as("split at %d", split).isTrue();
      assertThat(framer.readyForQueries()).isEqualTo(1);
    }
  }

  @Test
  void aResultFedOneByteAtATimeIsIdleAtItsLastByteOnly() {
    BackendMessages framer = new BackendMessages();
    for (int i = 0; i < RESULT.length; i++) {
      assertThat(framer.idleAtBoundary()).as("before byte %d", i).isFalse();
      feed(framer, RESULT, i, i + 1);
    }
    assertThat(framer.idleAtBoundary()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(chars = {'I', 'T', 'E'})
  void eachTransactionStatusIsTold(char status) {
    BackendMessages framer = new BackendMessages();
    byte[] stream = concat(message('C', BackendStreams.cstrings("BEGIN")), ready(status));
    feed(framer, stream, 0, stream.length);

    assertThat(framer.last()).isEqualTo(switch (status) {
      case 'I' -> Last.READY_IDLE;
      case 'T' -> Last.READY_IN_TRANSACTION;
      default -> Last.READY_IN_FAILED_TRANSACTION;
    });
    assertThat(framer.idleAtBoundary()).isEqualTo(status == 'I');
    assertThat(framer.readyForQueries()).isEqualTo(1);
  }

  @Test
  void aMessageBegunAfterReadyForQueryIdleEndsTheIdlenessWhileItIsIncomplete() {
    BackendMessages framer = new BackendMessages();
    byte[] stream = concat(ready('I'), message('A', new byte[12]));
    feed(framer, stream, 0, 6);
    assertThat(framer.idleAtBoundary()).isTrue();

    feed(framer, stream, 6, 7);

    assertThat(framer.last()).as("still the last complete message").isEqualTo(Last.READY_IDLE);
    assertThat(framer.position()).isEqualTo(Position.IN_HEADER);
    assertThat(framer.idleAtBoundary()).isFalse();
  }

  @Test
  void notificationsNoticesAndParameterChangesToAnIdleSessionLeaveItIdle() {
    BackendMessages framer = new BackendMessages();
    byte[] stream = concat(ready('I'), BackendStreams.notification(4242, "jobs", "42"),
        message('N', BackendStreams.cstrings("SNOTICE", "Mhello", "")), BackendStreams.parameter("TimeZone", "UTC"));
    for (int i = 0; i < stream.length; i++) {
      feed(framer, stream, i, i + 1);
    }

    assertThat(framer.idleAtBoundary()).as("a session that LISTENs is idle between notifications").isTrue();
    assertThat(framer.readyForQueries()).isEqualTo(1);
  }

  @Test
  void anyOtherMessageAfterReadyForQueryIdleEndsTheIdleness() {
    BackendMessages framer = new BackendMessages();
    byte[] stream = concat(ready('I'), message('E', BackendStreams.cstrings("SFATAL", "C57P01", "Mterminating", "")));
    feed(framer, stream, 0, stream.length);

    assertThat(framer.last()).isEqualTo(Last.OTHER);
    assertThat(framer.idleAtBoundary()).isFalse();
  }

  @Test
  void aDataRowWhosePayloadEndsWithTheBytesOfAReadyForQueryIsNotTakenForOne() {
    byte[] mimic = ready('I');
    byte[] row = message('D', concat(new byte[] {0, 1, 0, 0, 0, (byte) mimic.length}, mimic));
    BackendMessages framer = new BackendMessages();
    for (int split = 0; split <= row.length; split++) {
      framer = new BackendMessages();
      feed(framer, row, 0, split);
      feed(framer, row, split, row.length);
      assertThat(framer.last()).as("split at %d", split).isEqualTo(Last.OTHER);
      assertThat(framer.readyForQueries()).isZero();
    }
    feed(framer, mimic, 0, mimic.length);
    assertThat(framer.idleAtBoundary()).as("the real one after it").isTrue();
  }

  @Test
  void aZMessageOfAnotherLengthIsNotAReadyForQuery() {
    BackendMessages framer = new BackendMessages();
    byte[] stream = message('Z', new byte[] {'I', 'I'});
    feed(framer, stream, 0, stream.length);

    assertThat(framer.last()).isEqualTo(Last.OTHER);
    assertThat(framer.position()).isEqualTo(Position.AT_BOUNDARY);
  }

  @Test
  void anUnknownTransactionStatusIsNotIdle() {
    BackendMessages framer = new BackendMessages();
    byte[] stream = ready('X');
    feed(framer, stream, 0, stream.length);

    assertThat(framer.last()).isEqualTo(Last.OTHER);
    assertThat(framer.idleAtBoundary()).isFalse();
  }

  @Test
  void aMessageLargerThanManyChunksIsSkippedByItsLengthAlone() {
    byte[] big = dataRow(200_000);
    Arrays.fill(big, 20, big.length, (byte) 'Z'); // a payload full of would-be headers
    byte[] stream = concat(ready('I'), big, ready('T'), big, ready('I'));
    BackendMessages framer = new BackendMessages();
    int chunk = 16_709; // the size of no message here
    for (int at = 0; at < stream.length; at += chunk) {
      int end = Math.min(stream.length, at + chunk);
      feed(framer, stream, at, end);
      assertThat(framer.idleAtBoundary()).as("after %d bytes", end).isEqualTo(end == stream.length);
    }
    assertThat(framer.readyForQueries()).isEqualTo(3);
  }

  @Test
  void aLengthBelowFourLosesTheFramingForGoodAndNeverReportsIdleAgain() {
    BackendMessages framer = new BackendMessages();
    byte[] bad = concat(ready('I'), new byte[] {'N', 0, 0, 0, 3}, ready('I'), ready('I'));
    feed(framer, bad, 0, bad.length);

    assertThat(framer.position()).isEqualTo(Position.LOST);
    assertThat(framer.idleAtBoundary()).isFalse();
    assertThat(framer.readyForQueries()).isEqualTo(1);
  }

  @Test
  void aNegativeLengthSplitAcrossChunksIsLostToo() {
    BackendMessages framer = new BackendMessages();
    byte[] bad = {'D', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    for (int i = 0; i < bad.length; i++) {
      feed(framer, bad, i, i + 1);
    }

    assertThat(framer.position()).isEqualTo(Position.LOST);
  }

  @Test
  void anEmptyChunkChangesNothing() {
    BackendMessages framer = new BackendMessages();
    byte[] stream = ready('I');
    feed(framer, stream, 0, stream.length);
    feed(framer, stream, 0, 0);

    assertThat(framer.idleAtBoundary()).isTrue();
    assertThat(framer).hasToString("BackendMessages{AT_BOUNDARY READY_IDLE rfq=1}");
  }
}
