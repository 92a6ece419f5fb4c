package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS 1.3 KeyUpdate in mid-stream (AES-GCM's limit is 2^37 bytes, so production sees it after
 * ~137 GB): the engine asks for NEED_WRAP between application records and must be served while
 * data keeps flowing. The key limit is a JVM-wide security property read once, so this runs in a
 * child JVM with a limit of 4 KiB.
 */
class KeyUpdateTest {
  @Test
  void keyUpdatesInTheMiddleOfApplicationDataAreServedAndNoByteIsLost(@TempDir Path dir) throws Exception {
    Path security = Files.writeString(dir.resolve("java.security"),
        "jdk.tls.keyLimits=AES/GCM/NoPadding KeyUpdate 2^12, ChaCha20-Poly1305 KeyUpdate 2^12\n");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.security.properties=" + security, "-Djavax.net.debug=ssl:handshake",
        "-cp", System.getProperty("java.class.path"), KeyUpdateMain.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("KeyUpdate messages were exchanged").contains("KeyUpdate");
    assertThat(p.exitValue()).as(out.length() > 4000 ? out.substring(out.length() - 4000) : out).isZero();
    assertThat(out).contains("KEYUPDATE-TRANSFER-OK");
  }
}
