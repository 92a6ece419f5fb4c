package io.pgtls.launcher.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The secret from which pgtls mints the cancel keys clients see on a listener with several routes
 * ({@code cancel_key_secret_file}): replicas behind one load balancer that share it (and the
 * configuration) route each other's CancelRequests. The file's bytes are the secret, at least 32.
 */
public final class CancelKeySecret {
  static final int MIN_BYTES = 32;

  private final Path file;
  private final byte[] bytes;

  private CancelKeySecret(Path file, byte[] bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  /** Reads {@code file}; the message of a failure says what is wrong with it. */
  static CancelKeySecret read(Path file) throws IOException, IllegalArgumentException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < MIN_BYTES) {
      throw new IllegalArgumentException(file + " holds " + bytes.length + " bytes; a cancel key secret needs at least "
          + MIN_BYTES + " (for example: head -c 32 /dev/urandom > " + file + ")");
    }
    return new CancelKeySecret(file, bytes);
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /** Names the file, never the secret. */
  @Override
  public String toString() {
    return "cancel_key_secret_file=" + file;
  }
}
