package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Fuzzes the first thing pgtls parses on every connection: the untyped first packet.
 * Whatever the bytes, nothing throws, and every verdict stays inside the buffer and inside PostgreSQL's bounds. A bounded run is part of every build (see the core pom);
 * for a long local run: {@code JAZZER_FUZZ=1 mvn -pl pgtls-core test -Dtest=FirstPacketFuzzTest
 * -Djazzer.max_duration=10m}. Inputs that ever crashed are kept under src/test/resources and
 * replayed by every build.
 */
class FirstPacketFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void firstPacketClassificationIsTotalAndBounded(byte[] input) {
    ByteBuffer buf = ByteBuffer.wrap(input);
    FirstPacket fp = FirstPacket.peek(buf);
    assertThat(buf.position()).as("peek consumes nothing").isZero();
    switch (fp.kind()) {
      case STARTUP_MESSAGE:
      case CANCEL_REQUEST:
      case UNSUPPORTED_PROTOCOL:
        assertThat(fp.length()).isBetween(8, StartupCodes.MAX_STARTUP_PACKET_LENGTH).isLessThanOrEqualTo(input.length);
        if (fp.kind() == FirstPacket.Kind.STARTUP_MESSAGE) {
          assertThat(FirstPacket.startupParameters(buf, fp.length())).isNotNull();
        }
        break;
      case SSL_REQUEST:
      case GSSENC_REQUEST:
        assertThat(fp.length()).isEqualTo(8);
        break;
      default:
        break;
    }
  }

}
