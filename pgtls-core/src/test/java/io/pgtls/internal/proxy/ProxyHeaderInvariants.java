package io.pgtls.internal.proxy;

import io.pgtls.internal.proxy.ProxyHeader.Kind;
import io.pgtls.internal.proxy.ProxyHeader.Parse;
import io.pgtls.internal.proxy.ProxyHeader.Versions;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * What must hold for any bytes at all, shared by the fuzz target and the seeded mutation test: the
 * peek returns (no exception) and leaves position and limit alone; a HEADER lies inside the bytes
 * and inside the spec's bounds and describes itself on one line; an INVALID reason is one
 * printable line; and the verdict never contradicts itself as more bytes arrive. A prefix shorter
 * than a HEADER is NEED_MORE (a header sent byte by byte is never refused early), and any other
 * prefix is NEED_MORE or the verdict of the whole (a HEADER the same header, an INVALID final).
 */
final class ProxyHeaderInvariants {
  /** Up to this length every prefix is checked; past it, a sample. */
  private static final int ALL_PREFIXES = 600;
  private static final int SAMPLED_PREFIXES = 48;
  /** A small cap as well as the usual one, so that the cap itself is exercised. */
  static final int SMALL_CAP = 40;

  private ProxyHeaderInvariants() {}

  /** Checks the input under every accepted-versions setting and two caps; returns the verdict with both versions accepted. */
  static Parse checkAll(byte[] input) {
    check(input, Versions.V1, Peeks.CAP);
    check(input, Versions.V2, Peeks.CAP);
    check(input, Versions.V1_AND_V2, SMALL_CAP);
    return check(input, Versions.V1_AND_V2, Peeks.CAP);
  }

  static Parse check(byte[] input, Versions accepted, int cap) {
    Parse whole = peekAt(input, input.length, accepted, cap);
    switch (whole.kind()) {
      case HEADER:
        int bound = input[0] == 'P' ? V1Line.MAX_LINE : V2Header.FIXED_LENGTH + cap;
        if (whole.length() < 1 || whole.length() > input.length || whole.length() > bound || whole.info() == null) {
          throw new AssertionError("HEADER out of bounds: " + whole);
        }
        oneLine(whole.info().describe(), whole);
        if (whole.info().clientAddress().isPresent() && whole.info().destination() == null) {
          throw new AssertionError("a client without a destination: " + whole);
        }
        break;
      case INVALID:
        if (whole.reason() == null || whole.reason().isEmpty()) {
          throw new AssertionError("INVALID without a reason");
        }
        oneLine(whole.reason(), whole);
        break;
      default:
        if (input.length > Math.max(V1Line.MAX_LINE, V2Header.FIXED_LENGTH + cap) - 1) {
          throw new AssertionError("NEED_MORE after " + input.length + " bytes, past any header's bound");
        }
        break;
    }
    if (input.length <= ALL_PREFIXES) {
      for (int cut = 0; cut < input.length; cut++) {
        checkPrefix(input, cut, whole, accepted, cap);
      }
    } else {
      Random random = new Random(input.length);
      for (int i = 0; i < SAMPLED_PREFIXES; i++) {
        checkPrefix(input, random.nextInt(input.length), whole, accepted, cap);
      }
      checkPrefix(input, input.length - 1, whole, accepted, cap);
    }
    return whole;
  }

  private static void checkPrefix(byte[] input, int cut, Parse whole, Versions accepted, int cap) {
    Parse prefix = peekAt(input, cut, accepted, cap);
    if (prefix.kind() == Kind.NEED_MORE) {
      return;
    }
    if (whole.kind() == Kind.HEADER && cut < whole.length()) {
      throw new AssertionError("prefix of " + cut + " bytes before a HEADER of " + whole.length() + ": " + prefix);
    }
    boolean same = prefix.kind() == Kind.INVALID ? whole.kind() == Kind.INVALID : prefix.equals(whole);
    if (!same) {
      throw new AssertionError("prefix of " + cut + " bytes gives " + prefix + " but the whole gives " + whole);
    }
  }

  private static void oneLine(String text, Parse p) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        throw new AssertionError("control character " + (int) c + " in: " + p);
      }
    }
  }

  /** Peeks at the first {@code length} bytes of {@code input}, put at position 3 of a larger buffer. */
  private static Parse peekAt(byte[] input, int length, Versions accepted, int cap) {
    ByteBuffer buf = ByteBuffer.allocate(length + 5);
    buf.put(new byte[] {'P', 0x0D, 0x0A}).put(input, 0, length).put(new byte[] {0x0D, 0x0A});
    buf.position(3).limit(3 + length);
    Parse p = ProxyHeader.peek(buf, accepted, cap);
    // Plain checks, not AssertJ: this runs for every prefix of every fuzz input.
    if (p == null || buf.position() != 3 || buf.limit() != 3 + length) {
      throw new AssertionError("peek returned " + p + " and left position " + buf.position() + ", limit " + buf.limit());
    }
    return p;
  }
}
