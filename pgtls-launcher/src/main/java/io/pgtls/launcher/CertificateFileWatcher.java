package io.pgtls.launcher;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches certificate, key and CA files and calls back once they have changed and then stayed
 * quiet for the debounce time, so that a certificate and its key written one after the other cause
 * one reload, not two (the first of which would pair a new certificate with the old key).
 *
 * <p>The directories are watched, not the files: a {@code WatchService} cannot watch a file, and
 * Kubernetes updates a mounted Secret by swapping the {@code ..data} symlink in the directory, so the
 * file itself ({@code tls.crt -> ..data/tls.crt}) is never written. Any event in a watched directory
 * leads to a re-check of every file's content (following symlinks); only a real change calls back.
 * On macOS the JDK's {@code WatchService} polls (about every 10 s) instead of being told by the
 * kernel, so changes are seen later there.
 */
final class CertificateFileWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CertificateFileWatcher.class);

  private final Set<Path> files;
  private final Duration debounce;
  private final Runnable onChange;
  private final WatchService watchService;
  private final Thread thread;
  private Map<Path, String> fingerprints;

  private CertificateFileWatcher(Set<Path> files, Duration debounce, Runnable onChange, WatchService watchService) {
    this.files = files;
    this.debounce = debounce;
    this.onChange = onChange;
    this.watchService = watchService;
    this.fingerprints = fingerprints();
    this.thread = new Thread(this::loop, "pgtls-cert-watch");
    this.thread.setDaemon(true);
  }

  /** Starts watching {@code files}; {@code onChange} runs on the watcher's thread and must return quickly. */
  static CertificateFileWatcher start(Collection<Path> files, Duration debounce, Runnable onChange) throws IOException {
    Set<Path> absolute = new LinkedHashSet<>();
    files.forEach(f -> absolute.add(f.toAbsolutePath().normalize()));
    WatchService ws = FileSystems.getDefault().newWatchService();
    Set<Path> dirs = new LinkedHashSet<>();
    absolute.forEach(f -> dirs.add(Objects.requireNonNull(f.getParent(), "a file has a directory")));
    try {
      for (Path dir : dirs) {
        dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    } catch (IOException | RuntimeException e) {
      ws.close();
      throw e;
    }
    CertificateFileWatcher watcher = new CertificateFileWatcher(absolute, debounce, onChange, ws);
    watcher.thread.start();
    log.debug("watching {} certificate file(s) in {}", absolute.size(), dirs);
    return watcher;
  }

  private void loop() {
    try {
      while (true) {
        if (!drain(watchService.take())) {
          continue;
        }
        // Debounce: wait until the directories have been quiet for the whole debounce time.
        WatchKey next;
        while ((next = watchService.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          drain(next);
        }
        Map<Path, String> now = fingerprints();
        if (!now.equals(fingerprints)) {
          fingerprints = now;
          onChange.run();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    } catch (RuntimeException e) {
      log.error("certificate file watcher stopped; SIGHUP still reloads", e);
    }
  }

  /** Consumes a key's events and re-arms it; false when it had none. */
  private boolean drain(WatchKey key) {
    boolean any = !key.pollEvents().isEmpty();
    if (!key.reset()) {
      log.warn("directory {} can no longer be watched (deleted?); its files reload on SIGHUP only", key.watchable());
    }
    return any;
  }

  private Map<Path, String> fingerprints() {
    Map<Path, String> result = new LinkedHashMap<>();
    for (Path file : files) {
      result.put(file, fingerprint(file));
    }
    return result;
  }

  /** A digest of the content (symlinks followed), or why it cannot be read; never the content itself. */
  private static String fingerprint(Path file) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
      return Arrays.toString(digest);
    } catch (NoSuchFileException e) {
      return "missing";
    } catch (IOException e) {
      return "unreadable: " + e;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }

  @Override
  public void close() {
    try {
      watchService.close();
    } catch (IOException e) {
      log.debug("closing the certificate watcher", e);
    }
    thread.interrupt();
  }
}
