package io.pgtls.internal.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupSettingTest {
  private static byte[] startup(String... pairs) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (String s : pairs) {
      body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      body.write(0);
    }
    body.write(0);
    ByteBuffer b = ByteBuffer.allocate(8 + body.size());
    b.putInt(8 + body.size()).putInt(StartupCodes.PROTOCOL_3_0).put(body.toByteArray());
    return b.array();
  }

  private static Map<String, String> parameters(byte[] packet) {
    ByteBuffer b = ByteBuffer.wrap(packet);
    assertThat(FirstPacket.peek(b).kind()).isEqualTo(FirstPacket.Kind.STARTUP_MESSAGE);
    assertThat(b.getInt(0)).isEqualTo(packet.length);
    return FirstPacket.startupParameters(b, packet.length);
  }

  @Test
  void aValueTheClientSentForTheSettingIsReplacedNotKeptBesidePgtlss() {
    byte[] in = startup("user", "alice", "pgtls.client_identity", "forged", "database", "db");

    byte[] out = StartupSetting.withSetting(ByteBuffer.wrap(in), in.length, "pgtls.client_identity", "CN=alice");

    assertThat(parameters(out)).containsExactly(Map.entry("user", "alice"), Map.entry("database", "db"),
        Map.entry("pgtls.client_identity", "CN=alice"));
    assertThat(new String(out, StandardCharsets.ISO_8859_1)).containsOnlyOnce("pgtls.client_identity");
  }

  @Test
  void everyOtherPairKeepsItsBytesAndOrder() {
    byte[] in = startup("user", "bob", "application_name", "psql", "options", "-c search_path=x");

    byte[] out = StartupSetting.withSetting(ByteBuffer.wrap(in), in.length, "pgtls.client_identity", "bob");

    assertThat(parameters(out)).containsExactly(Map.entry("user", "bob"), Map.entry("application_name", "psql"),
        Map.entry("options", "-c search_path=x"), Map.entry("pgtls.client_identity", "bob"));
    assertThat(out[out.length - 1]).isZero();
  }

  @Test
  void readsFromThePacketsPositionWithoutConsumingIt() {
    byte[] in = startup("user", "alice");
    ByteBuffer buf = ByteBuffer.allocate(in.length + 3);
    buf.put(new byte[] {9, 9, 9}).put(in).flip().position(3);

    byte[] out = StartupSetting.withSetting(buf, in.length, "a.b", "v");

    assertThat(buf.position()).isEqualTo(3);
    assertThat(parameters(out)).containsEntry("user", "alice").containsEntry("a.b", "v");
  }

  @Test
  void aResultLongerThanPostgresqlAcceptsIsRefusedNotSent() {
    byte[] in = startup("user", "alice", "application_name", "x".repeat(9_900));

    assertThatThrownBy(() -> StartupSetting.withSetting(ByteBuffer.wrap(in), in.length, "pgtls.client_identity",
        "y".repeat(200))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10000");
  }
}
