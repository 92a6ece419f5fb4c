package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Backend messages, fake minters and a relay loop for the BackendKeyRewrite tests. */
final class BackendStreams {
  static final int PID = 4242;
  static final int OTHER_PID = 777;

  private BackendStreams() {}

  static byte[] message(char type, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
  }

  static byte[] authOk() {
    return message('R', new byte[4]);
  }

  static byte[] parameter(String name, String value) {
    return message('S', cstrings(name, value));
  }

  static byte[] keyData(int pid, byte[] key) {
    return message('K', ByteBuffer.allocate(4 + key.length).putInt(pid).put(key).array());
  }

  static byte[] ready() {
    return message('Z', new byte[] {'I'});
  }

  static byte[] notification(int pid, String channel, String payload) {
    byte[] s = cstrings(channel, payload);
    return message('A', ByteBuffer.allocate(4 + s.length).putInt(pid).put(s).array());
  }

  static byte[] dataRow(int bytes) {
    byte[] v = new byte[bytes];
    Arrays.fill(v, (byte) 'd');
    return message('D', ByteBuffer.allocate(6 + bytes).putShort((short) 1).putInt(bytes).put(v).array());
  }

  static byte[] error(String text) {
    return message('E', cstrings("SFATAL", "C28P01", "M" + text, ""));
  }

  static byte[] cstrings(String... s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String x : s) {
      out.writeBytes(x.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] key(int n, int seed) {
    byte[] k = new byte[n];
    new Random(seed).nextBytes(k);
    return k;
  }

  /** 3.0: another pid and the key's bytes reversed. */
  static BackendKeyMinter.Minted permuted(int pid, byte[] key) {
    byte[] k = new byte[key.length];
    for (int i = 0; i < k.length; i++) {
      k[i] = key[key.length - 1 - i];
    }
    return new BackendKeyMinter.Minted((pid * 31 + 5) & 0x7FFF_FFFF, k);
  }

  /** 3.2: the same pid and a key 35 bytes longer, like CancelKeys' sealed keys. */
  static BackendKeyMinter.Minted sealed(int pid, byte[] key) {
    byte[] k = new byte[35 + key.length];
    Arrays.fill(k, 0, 35, (byte) 0xC5);
    System.arraycopy(key, 0, k, 35, key.length);
    return new BackendKeyMinter.Minted(pid, k);
  }

  /** What CancelKeys mints for a key it cannot encode. */
  static BackendKeyMinter.Minted unchanged(int pid, byte[] key) {
    return new BackendKeyMinter.Minted(pid, key);
  }

  static List<byte[]> chunks(byte[] s, int... cuts) {
    List<byte[]> out = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      out.add(Arrays.copyOfRange(s, from, cut));
      from = cut;
    }
    out.add(Arrays.copyOfRange(s, from, s.length));
    return out;
  }

  static List<byte[]> bytes(byte[] s) {
    List<byte[]> out = new ArrayList<>();
    for (byte b : s) {
      out.add(new byte[] {b});
    }
    return out;
  }

  /**
   * Plays the relay: reads each chunk into a buffer of {@code capacity} (as much as fits), asks
   * the rewrite what may go, forwards it (all of it, or a random part when {@code drains} is
   * given), reports the drain, and stops calling once the watch ends. Returns what the client got.
   */
  static byte[] relay(BackendKeyRewrite r, List<byte[]> chunks, ByteBuffer buf, Random drains) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int chunk = 0;
    int offset = 0;
    int idle = 0;
    while (chunk < chunks.size() || buf.position() > 0) {
      int read = 0;
      int before = chunk;
      if (chunk < chunks.size()) {
        byte[] c = chunks.get(chunk);
        read = Math.min(c.length - offset, buf.remaining());
        buf.put(c, offset, read);
        offset += read;
        if (offset == c.length) {
          chunk++;
          offset = 0;
        }
      }
      boolean watched = r.watching();
      int allowed = watched ? r.process(buf) : buf.position();
      assertThat(allowed).as("forwardable count of %s", r).isBetween(0, buf.position());
      int n = drains == null || idle > 3 ? allowed : drains.nextInt(allowed + 1);
      byte[] sent = new byte[n];
      buf.get(0, sent);
      out.writeBytes(sent);
      buf.flip().position(n);
      buf.compact();
      if (watched) {
        r.drained(n);
      }
      idle = read + n > 0 || chunk != before ? 0 : idle + 1;
      if (idle > 10) {
        fail("stalled with %d bytes held: %s", buf.position(), r);
      }
    }
    return out.toByteArray();
  }

  static byte[] relay(BackendKeyRewrite r, List<byte[]> chunks, int capacity) {
    return relay(r, chunks, ByteBuffer.allocate(capacity), null);
  }
}
