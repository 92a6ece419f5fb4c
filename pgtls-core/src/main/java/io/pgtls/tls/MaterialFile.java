package io.pgtls.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a certificate or key file, turning I/O failures into operator-facing messages. */
final class MaterialFile {

  /** Far above any real certificate bundle; guards against pointing at a device or a dump. */
  static final long MAX_SIZE = 16L * 1024 * 1024;

  private MaterialFile() {
  }

  /** The absolute path, so that messages do not depend on the proxy's working directory. */
  static String display(Path file) {
    return file.toAbsolutePath().normalize().toString();
  }

  /**
   * The file's text. {@code purpose} completes "cannot read ... from FILE", e.g.
   * "private key" or "certificates".
   */
  static String readText(Path file, String purpose) throws TlsMaterialException {
    byte[] bytes = readBytes(file, purpose);
    // A UTF-8 byte order mark, as some Windows editors write, would hide the first BEGIN line.
    int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
        && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
    // PEM bodies are ASCII; ISO-8859-1 never fails on the free text openssl writes between blocks.
    return new String(bytes, start, bytes.length - start, StandardCharsets.ISO_8859_1);
  }

  /**
   * The file's bytes, for files that may be DER as well as PEM; never empty. {@code purpose} as
   * for {@link #readText}.
   */
  static byte[] readBytes(Path file, String purpose) throws TlsMaterialException {
    String prefix = "cannot read " + purpose + " from " + display(file) + ": ";
    if (Files.isDirectory(file)) {
      throw new TlsMaterialException(prefix + "it is a directory, not a file");
    }
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_SIZE) {
        throw new TlsMaterialException(prefix + "file is " + size + " bytes, too large for a PEM file");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TlsMaterialException(prefix + "file does not exist", e);
    } catch (AccessDeniedException e) {
      throw new TlsMaterialException(prefix + "permission denied", e);
    } catch (IOException e) {
      throw new TlsMaterialException(prefix + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
    if (bytes.length == 0) {
      throw new TlsMaterialException(prefix + "file is empty");
    }
    return bytes;
  }
}
