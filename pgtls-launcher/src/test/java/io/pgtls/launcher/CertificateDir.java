package io.pgtls.launcher;

import io.pgtls.testkit.IssuedCertificate;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** A directory holding the proxy's certificate and key as an operator rotates them: replaced by rename. */
final class CertificateDir {
  final Path cert;
  final Path key;

  CertificateDir(Path dir) throws Exception {
    Files.createDirectories(dir);
    cert = dir.resolve("proxy.pem");
    key = dir.resolve("proxy.key");
  }

  /** Puts {@code c} in place (certificate, then key), each by an atomic rename; returns its serial. */
  BigInteger install(IssuedCertificate c) throws Exception {
    replace(cert, Files.readAllBytes(c.certificateFile()));
    replace(key, Files.readAllBytes(c.privateKeyFile()));
    return c.certificate().getSerialNumber();
  }

  static void replace(Path target, byte[] content) throws Exception {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.write(tmp, content);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
