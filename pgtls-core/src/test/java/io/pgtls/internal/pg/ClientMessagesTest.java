package io.pgtls.internal.pg;

import static io.pgtls.internal.pg.BackendStreams.concat;
import static io.pgtls.internal.pg.BackendStreams.cstrings;
import static io.pgtls.internal.pg.BackendStreams.message;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.pg.MessageFramer.Position;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The framer of the client's stream, fed as the relay feeds it, and what it counts. */
class ClientMessagesTest {
  static final byte[] STARTUP = startup();

  static byte[] startup() {
    byte[] body = cstrings("user", "alice", "database", "db", "");
    return ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(3 << 16).put(body).array();
  }

  static byte[] query(String sql) {
    return message('Q', cstrings(sql));
  }

  static byte[] sync() {
    return message('S', new byte[0]);
  }

  /** Feeds {@code bytes[from, to)} from inside a buffer with other bytes around it. */
  static void feed(ClientMessages framer, byte[] bytes, int from, int to) {
    ByteBuffer buffer = ByteBuffer.allocate(bytes.length + 20);
    Arrays.fill(buffer.array(), (byte) 'Q');
    buffer.position(3);
    buffer.put(bytes, from, to - from);
    framer.feed(buffer, 3, 3 + to - from);
  }

  @Test
  void theStartupMessageHasNoTypeByteAndIsFramedByItsLengthAlone() {
    byte[] stream = concat(STARTUP, query("select 1"));
    for (int split = 0; split <= stream.length; split++) {
      ClientMessages framer = new ClientMessages();
      feed(framer, stream, 0, split);
      feed(framer, stream, split, stream.length);

      assertThat(framer.position()).as("split at %d", split).isEqualTo(Position.AT_BOUNDARY);
      assertThat(framer.expectedReadyForQueries()).as("the login's and the query's").isEqualTo(2);
    }
  }

  @Test
  void onlyTheMessagesAnsweredWithReadyForQueryAreCounted() {
    byte[] stream = concat(STARTUP, message('p', cstrings("secret")), message('P', cstrings("", "select $1", "")),
        message('B', new byte[8]), message('D', new byte[] {'P', 0}), message('E', new byte[5]), message('H', new byte[0]),
        sync(), query("copy t from stdin"), message('d', new byte[30]), message('c', new byte[0]), message('F', new byte[10]),
        message('C', new byte[] {'S', 0}), sync(), message('X', new byte[0]));
    ClientMessages framer = new ClientMessages();
    for (int i = 0; i < stream.length; i++) {
      feed(framer, stream, i, i + 1);
    }

    assertThat(framer.expectedReadyForQueries()).as("login, Sync, Query, FunctionCall, Sync").isEqualTo(5);
    assertThat(framer.position()).isEqualTo(Position.AT_BOUNDARY);
  }

  @Test
  void aQueryIsCountedAsSoonAsItsHeaderIsInWhileItsBodyIsStillComing() {
    byte[] stream = concat(STARTUP, query("select 'a long one'"));
    ClientMessages framer = new ClientMessages();
    feed(framer, stream, 0, STARTUP.length + 5);

    assertThat(framer.expectedReadyForQueries()).isEqualTo(2);
    assertThat(framer.position()).isEqualTo(Position.IN_BODY);
  }

  @Test
  void aMessageCutInItsHeaderIsNotAtABoundary() {
    ClientMessages framer = new ClientMessages();
    byte[] stream = concat(STARTUP, message('P', new byte[40]));
    feed(framer, stream, 0, STARTUP.length + 3);

    assertThat(framer.position()).isEqualTo(Position.IN_HEADER);
  }

  @Test
  void aLengthBelowFourLosesTheFramingForGood() {
    ClientMessages framer = new ClientMessages();
    byte[] stream = concat(STARTUP, new byte[] {'Q', 0, 0, 0, 2}, query("select 1"));
    feed(framer, stream, 0, stream.length);

    assertThat(framer.position()).isEqualTo(Position.LOST);
    assertThat(framer.expectedReadyForQueries()).isEqualTo(1);
    assertThat(framer).hasToString("ClientMessages{LOST expected-rfq=1}");
  }
}
