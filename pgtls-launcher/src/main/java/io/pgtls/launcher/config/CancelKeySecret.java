package io.pgtls.launcher.config;

import io.pgtls.PgTlsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The secret from which pgtls mints the cancel keys clients see on a listener with several routes
 * ({@code cancel_key_secret_file}): replicas behind one load balancer that share it (and the
 * configuration) route each other's CancelRequests. The file's bytes are the secret, at least 32.
 * Like the certificate files, it is read when the proxy is built, not when the TOML is parsed.
 */
public final class CancelKeySecret {
  static final int MIN_BYTES = 32;

  private final Path file;
  /** Where the setting is written, {@code file:line: cancel_key_secret_file: }, for messages. */
  private final String where;

  CancelKeySecret(Path file, String where) {
    this.file = file;
    this.where = where;
  }

  /** The file holding the secret. */
  public Path file() {
    return file;
  }

  /** Reads the secret; a {@link PgTlsException} placed at the setting's line says what is wrong with the file. */
  public byte[] read() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new PgTlsException(where + "cannot read " + file + ": " + e, e);
    }
    if (bytes.length < MIN_BYTES) {
      throw new PgTlsException(where + file + " holds " + bytes.length + " bytes; a cancel key secret needs at "
          + "least " + MIN_BYTES + " (for example: head -c 32 /dev/urandom > " + file + ")");
    }
    return bytes;
  }

  /** Names the file, never the secret. */
  @Override
  public String toString() {
    return "cancel_key_secret_file=" + file;
  }
}
