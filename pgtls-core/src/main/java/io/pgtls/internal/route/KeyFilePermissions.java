package io.pgtls.internal.route;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about private key files others can read, the rule PostgreSQL and libpq apply to their own
 * keys (0600, or 0640 when owned by root). A warning, not an error: pgtls runs where files come
 * from secret managers and volume mounts that an operator cannot always chmod.
 */
final class KeyFilePermissions {
  private static final Logger log = LoggerFactory.getLogger(KeyFilePermissions.class);

  private KeyFilePermissions() {}

  static void check(String route, String setting, Path key) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(key);
      boolean world = p.contains(PosixFilePermission.OTHERS_READ);
      boolean group = p.contains(PosixFilePermission.GROUP_READ);
      boolean rootOwned = "root".equals(Files.getOwner(key).getName());
      if (world || (group && !rootOwned)) {
        log.warn("route '{}': {} {} is readable by {}: make it 0600 (or 0640 owned by root), as PostgreSQL requires "
            + "for its own keys", route, setting, key, world ? "every user" : "its group");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // No POSIX permissions here (or the file is missing: loading it reports that).
    }
  }
}
