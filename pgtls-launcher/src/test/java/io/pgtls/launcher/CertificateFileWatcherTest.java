package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the watcher calls for a reload, and when it must not. */
class CertificateFileWatcherTest {
  private static final Duration QUIET = Duration.ofMillis(300);
  @TempDir Path dir;
  private final Semaphore reloads = new Semaphore(0);

  private CertificateFileWatcher watch(Path... files) throws Exception {
    return CertificateFileWatcher.start(List.of(files), QUIET, reloads::release);
  }

  @Test
  void kubernetesSymlinkSwapIsSeenThoughTheNamedFileIsNeverWritten() throws Exception {
    // The layout of a Kubernetes Secret volume: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>
    Path v1 = Files.createDirectory(dir.resolve("..2026_01_01"));
    Files.writeString(v1.resolve("tls.crt"), "one");
    Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Path crt = Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data", "tls.crt"));
    CertificateFileWatcher watcher = watch(crt);
    try {
      Path v2 = Files.createDirectory(dir.resolve("..2026_02_01"));
      Files.writeString(v2.resolve("tls.crt"), "two");
      Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
      Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      assertThat(reloads.tryAcquire(10, TimeUnit.SECONDS)).as("reload after the ..data swap").isTrue();
    } finally {
      watcher.close();
    }
  }

  @Test
  void rewriteWithTheSameContentDoesNotReload() throws Exception {
    Path crt = Files.writeString(dir.resolve("proxy.pem"), "same");
    CertificateFileWatcher watcher = watch(crt);
    try {
      Files.writeString(crt, "same");
      Files.writeString(dir.resolve("unrelated.txt"), "noise");
      assertThat(reloads.tryAcquire(2, TimeUnit.SECONDS)).isFalse();
    } finally {
      watcher.close();
    }
  }

  @Test
  void certificateThenKeyWithinTheQuietTimeIsOneReloadNotAMismatchedPair() throws Exception {
    Path crt = Files.writeString(dir.resolve("proxy.pem"), "cert-1");
    Path key = Files.writeString(dir.resolve("proxy.key"), "key-1");
    CertificateFileWatcher watcher = watch(crt, key);
    try {
      Files.writeString(crt, "cert-2");
      Thread.sleep(QUIET.toMillis() / 3);
      Files.writeString(key, "key-2");
      assertThat(reloads.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      assertThat(reloads.tryAcquire(2, TimeUnit.SECONDS)).as("no second reload").isFalse();
    } finally {
      watcher.close();
    }
  }
}
