package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScramPlusWatchTest {
  private static byte[] stream(String mechanism) {
    byte[] startup = FirstPacketTest.startup(StartupCodes.PROTOCOL_3_0, "user", "alice");
    byte[] name = (mechanism + "\0").getBytes(StandardCharsets.US_ASCII);
    byte[] data = "p=tls-server-end-point,,n=,r=abc".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer p = ByteBuffer.allocate(1 + 4 + name.length + 4 + data.length);
    p.put((byte) 'p').putInt(4 + name.length + 4 + data.length).put(name).putInt(data.length).put(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(startup);
    out.writeBytes(p.array());
    return out.toByteArray();
  }

  /** Feeds the stream one byte at a time, forwarding what the watch allows, like the relay does. */
  private static int forwardedBeforeVerdict(ScramPlusWatch w, byte[] s) {
    ByteBuffer pending = ByteBuffer.allocate(s.length);
    int forwarded = 0;
    for (byte b : s) {
      pending.put(b);
      ByteBuffer view = pending.duplicate().flip();
      int n = w.forwardable(view);
      if (w.verdict() != ScramPlusWatch.Verdict.UNDECIDED) {
        return forwarded + (w.verdict() == ScramPlusWatch.Verdict.PASS ? n : 0);
      }
      pending.flip().position(n);
      pending.compact();
      w.drained(n);
      forwarded += n;
    }
    return forwarded;
  }

  @Test
  void plusChoiceArrivingByteByByteIsHeldBackAndRefused() {
    byte[] s = stream("SCRAM-SHA-256-PLUS");
    int startupLength = s.length - (1 + 4 + 19 + 4 + 32);
    ScramPlusWatch w = new ScramPlusWatch(startupLength);
    int forwarded = forwardedBeforeVerdict(w, s);
    assertThat(w.verdict()).isEqualTo(ScramPlusWatch.Verdict.REFUSE);
    assertThat(forwarded).as("only the StartupMessage went through").isEqualTo(startupLength);
  }

  @Test
  void plainScramPassesEverything() {
    byte[] s = stream("SCRAM-SHA-256");
    ScramPlusWatch w = new ScramPlusWatch(s.length - (1 + 4 + 14 + 4 + 32));
    assertThat(forwardedBeforeVerdict(w, s)).isLessThanOrEqualTo(s.length);
    assertThat(w.verdict()).isEqualTo(ScramPlusWatch.Verdict.PASS);
  }

  @Test
  void aQueryInsteadOfAuthenticationPasses() {
    byte[] startup = FirstPacketTest.startup(StartupCodes.PROTOCOL_3_0, "user", "trusted");
    ByteBuffer b = ByteBuffer.allocate(startup.length + 14);
    b.put(startup).put((byte) 'Q').putInt(13).put("select 1\0".getBytes(StandardCharsets.US_ASCII));
    ScramPlusWatch w = new ScramPlusWatch(startup.length);
    assertThat(w.forwardable(b.flip())).isEqualTo(startup.length + 14);
    assertThat(w.verdict()).isEqualTo(ScramPlusWatch.Verdict.PASS);
  }

  @Test
  void aPasswordMessageLongerThanAMechanismNamePasses() {
    byte[] startup = FirstPacketTest.startup(StartupCodes.PROTOCOL_3_0, "user", "md5user");
    byte[] pw = "md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(startup.length + 5 + pw.length);
    b.put(startup).put((byte) 'p').putInt(4 + pw.length).put(pw);
    ScramPlusWatch w = new ScramPlusWatch(startup.length);
    w.forwardable(b.flip());
    assertThat(w.verdict()).isEqualTo(ScramPlusWatch.Verdict.PASS);
  }
}
