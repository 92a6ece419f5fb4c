package io.pgtls.testkit;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operating-system account PostgreSQL runs as.
 *
 * <p>initdb, pg_ctl and postgres all exit with "cannot be run as root" when started by uid 0. In a
 * container where the tests run as root, they are therefore started as {@code postgres} (or
 * {@code nobody} where no such account exists), through {@code setpriv} or {@code runuser}, and
 * the files they need are handed over to that account. Otherwise they run as the JVM's own user.
 */
final class ServerAccount {

  /** How a command is made to run as the server account. */
  enum PrivilegeDrop {
    /** The JVM is not root: commands run as they are. */
    NONE,
    /** util-linux {@code setpriv --reuid --regid --clear-groups}: no PAM, no login session. */
    SETPRIV,
    /** util-linux {@code runuser -u}: where setpriv is missing; goes through PAM. */
    RUNUSER
  }

  private static final Logger LOG = LoggerFactory.getLogger(ServerAccount.class);
  private static final List<String> CANDIDATES = List.of("postgres", "nobody");
  private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final long uid;
  private final long gid;
  private final PrivilegeDrop drop;

  private ServerAccount(String name, long uid, long gid, PrivilegeDrop drop) {
    this.name = name;
    this.uid = uid;
    this.gid = gid;
    this.drop = drop;
  }

  private static ServerAccount detected;

  /** The JVM's own account, or an unprivileged one when the JVM runs as root; looked up once. */
  static synchronized ServerAccount detect() {
    if (detected == null) {
      detected = lookUpServerAccount();
    }
    return detected;
  }

  private static ServerAccount lookUpServerAccount() {
    UnixSystem self = new UnixSystem();
    if (self.getUid() != 0) {
      return new ServerAccount(self.getUsername(), self.getUid(), self.getGid(), PrivilegeDrop.NONE);
    }
    PrivilegeDrop drop = privilegeDropTool();
    for (String candidate : CANDIDATES) {
      Optional<ServerAccount> account = lookUp(candidate, drop);
      if (account.isPresent()) {
        LOG.info("The JVM runs as root; PostgreSQL will run as {}", account.get());
        return account.get();
      }
    }
    throw new PostgresServerException(
        "The JVM runs as root, PostgreSQL refuses to, and none of the accounts "
            + CANDIDATES
            + " exists to run it as");
  }

  String name() {
    return name;
  }

  /** {@code command}, prefixed so that it runs as this account. */
  List<String> wrap(List<String> command) {
    List<String> wrapped = new ArrayList<>();
    switch (drop) {
      case NONE -> {}
      case SETPRIV ->
          wrapped.addAll(
              List.of(
                  "setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
      case RUNUSER -> wrapped.addAll(List.of("runuser", "-u", name, "--"));
    }
    wrapped.addAll(command);
    return wrapped;
  }

  /** Makes this account the owner of {@code path} and everything below it (root only). */
  void handOver(Path path) {
    if (drop == PrivilegeDrop.NONE) {
      return;
    }
    try (Stream<Path> tree = Files.walk(path)) {
      for (Path each : (Iterable<Path>) tree::iterator) {
        Files.setAttribute(each, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(each, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot hand " + path + " over to " + name, e);
    }
  }

  /**
   * Makes sure this account can reach {@code directory}: every ancestor must be searchable (x) by
   * it. JUnit's {@code @TempDir} and {@code Files.createTempDirectory} make 0700 directories, which
   * root can enter but the server account cannot ("could not change directory ... Permission
   * denied"). Directories below {@code java.io.tmpdir} get o+x added; anything else (such as
   * {@code /root}) is left alone and reported.
   */
  void ensureCanReach(Path directory) {
    if (drop == PrivilegeDrop.NONE) {
      return;
    }
    try {
      Path temp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath();
      for (Path each = directory.toRealPath(); each != null; each = each.getParent()) {
        if (searchable(each)) {
          continue;
        }
        if (each.startsWith(temp) && !each.equals(temp)) {
          Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(each);
          permissions.add(PosixFilePermission.OTHERS_EXECUTE);
          Files.setPosixFilePermissions(each, permissions);
          LOG.debug("Made {} searchable for {}", each, name);
        } else {
          throw new PostgresServerException(
              "PostgreSQL runs as "
                  + name
                  + " (the JVM runs as root) and cannot enter "
                  + each
                  + " on the way to "
                  + directory
                  + "; use a directory under "
                  + temp);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot check the permissions on the way to " + directory, e);
    }
  }

  private boolean searchable(Path directory) throws IOException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
    int owner = (Integer) Files.getAttribute(directory, "unix:uid");
    int group = (Integer) Files.getAttribute(directory, "unix:gid");
    if (owner == uid) {
      return permissions.contains(PosixFilePermission.OWNER_EXECUTE);
    }
    if (group == gid) {
      return permissions.contains(PosixFilePermission.GROUP_EXECUTE);
    }
    return permissions.contains(PosixFilePermission.OTHERS_EXECUTE);
  }

  @Override
  public String toString() {
    return name + " (uid " + uid + ", gid " + gid + ", " + drop + ")";
  }

  private static PrivilegeDrop privilegeDropTool() {
    if (onPath("setpriv")) {
      return PrivilegeDrop.SETPRIV;
    }
    if (onPath("runuser")) {
      return PrivilegeDrop.RUNUSER;
    }
    throw new PostgresServerException(
        "The JVM runs as root and PostgreSQL refuses to; neither setpriv nor runuser (util-linux)"
            + " is on the PATH to run it as another user");
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    for (String directory : path.split(":")) {
      if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, program))) {
        return true;
      }
    }
    return false;
  }

  /** {@code getent passwd} sees NSS accounts too (LDAP, systemd); /etc/passwd where it is missing. */
  private static Optional<ServerAccount> lookUp(String account, PrivilegeDrop drop) {
    String entry = null;
    if (onPath("getent")) {
      Commands.Result result =
          Commands.run(List.of("getent", "passwd", account), Path.of("/"), null, LOOKUP_TIMEOUT);
      entry = result.succeeded() ? result.output().strip() : null;
    } else {
      try (Stream<String> lines = Files.lines(Path.of("/etc/passwd"))) {
        entry = lines.filter(line -> line.startsWith(account + ":")).findFirst().orElse(null);
      } catch (IOException e) {
        LOG.debug("Cannot read /etc/passwd", e);
      }
    }
    if (entry == null || entry.isEmpty()) {
      return Optional.empty();
    }
    String[] fields = entry.split(":");
    return Optional.of(
        new ServerAccount(account, Long.parseLong(fields[2]), Long.parseLong(fields[3]), drop));
  }
}
