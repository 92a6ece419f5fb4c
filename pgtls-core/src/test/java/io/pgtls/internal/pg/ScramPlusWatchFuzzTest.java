package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;

/**
 * Fuzzes the SASL mechanism watch, which reads client bytes before
 * authentication. Whatever the bytes, nothing throws, and every verdict stays inside the buffer and inside PostgreSQL's bounds. A bounded run is part of every build (see the core pom);
 * for a long local run: {@code JAZZER_FUZZ=1 mvn -pl pgtls-core test -Dtest=ScramPlusWatchFuzzTest
 * -Djazzer.max_duration=10m}. Inputs that ever crashed are kept under src/test/resources and
 * replayed by every build.
 */
class ScramPlusWatchFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void scramWatchNeverForwardsBeyondTheBufferOrThrows(byte[] input) {
    if (input.length < 2) {
      return;
    }
    int startupLength = Math.min(input[0] & 0xFF, input.length - 1);
    ScramPlusWatch w = new ScramPlusWatch(startupLength);
    ByteBuffer stream = ByteBuffer.wrap(input, 1, input.length - 1).slice();
    int n = w.forwardable(stream);
    assertThat(n).isBetween(0, stream.remaining());
    if (w.verdict() == ScramPlusWatch.Verdict.PASS) {
      assertThat(n).isEqualTo(stream.remaining());
    }
  }
}
