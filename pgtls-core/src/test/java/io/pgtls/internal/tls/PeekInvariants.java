package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.tls.ClientHelloPeek.Result;
import io.pgtls.internal.tls.ClientHelloPeek.Verdict;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * What must hold for any bytes at all, shared by the fuzz target and the seeded mutation test:
 * the peek returns (no exception), leaves position and limit alone, keeps a HELLO's span inside
 * the bytes, and never contradicts itself as more bytes arrive.
 */
final class PeekInvariants {
  /** Up to this length every prefix is checked; past it, a sample. */
  private static final int ALL_PREFIXES = 600;
  private static final int SAMPLED_PREFIXES = 48;

  private PeekInvariants() {}

  /** Checks {@code input} placed behind a few other bytes, and returns its verdict. */
  static Result check(byte[] input) {
    Result whole = peekAt(input, input.length);
    if (whole.verdict() == Verdict.HELLO) {
      assertThat(whole.span()).isBetween(1, input.length);
    }
    if (input.length <= ALL_PREFIXES) {
      for (int cut = 0; cut < input.length; cut++) {
        checkPrefix(input, cut, whole);
      }
    } else {
      Random random = new Random(input.length);
      for (int i = 0; i < SAMPLED_PREFIXES; i++) {
        checkPrefix(input, random.nextInt(input.length), whole);
      }
      checkPrefix(input, input.length - 1, whole);
    }
    return whole;
  }

  /**
   * A prefix of the input gives NEED_MORE or the very verdict of the whole. For a HELLO, a
   * prefix as long as its span is that HELLO and a shorter one only NEED_MORE.
   */
  private static void checkPrefix(byte[] input, int cut, Result whole) {
    Result prefix = peekAt(input, cut);
    if (prefix.verdict() == Verdict.NEED_MORE) {
      return;
    }
    if (whole.verdict() == Verdict.HELLO && cut < whole.span()) {
      throw new AssertionError("prefix of " + cut + " bytes before a HELLO spanning " + whole.span() + ": " + prefix);
    }
    if (!prefix.toString().equals(whole.toString())) {
      throw new AssertionError("prefix of " + cut + " bytes gives " + prefix + " but the whole gives " + whole);
    }
  }

  /** Peeks at the first {@code length} bytes of {@code input}, put at position 3 of a larger buffer. */
  private static Result peekAt(byte[] input, int length) {
    ByteBuffer buf = ByteBuffer.allocate(length + 5);
    buf.put(new byte[] {22, 3, 1}).put(input, 0, length).put(new byte[] {22, 3});
    buf.position(3).limit(3 + length);
    Result r = ClientHelloPeek.peek(buf);
    // Plain checks, not AssertJ: this runs for every prefix of every fuzz input.
    if (r == null || buf.position() != 3 || buf.limit() != 3 + length) {
      throw new AssertionError("peek returned " + r + " and left position " + buf.position() + ", limit " + buf.limit());
    }
    return r;
  }
}
