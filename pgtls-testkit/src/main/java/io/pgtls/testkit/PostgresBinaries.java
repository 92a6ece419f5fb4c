package io.pgtls.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where initdb, pg_ctl and postgres live, and the library directory next to them. */
record PostgresBinaries(Path binDirectory, Path libDirectory) {

  private static final List<String> PROGRAMS = List.of("initdb", "pg_ctl", "postgres");

  /** "postgres (PostgreSQL) 17.6" or "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)". */
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\S+)");

  private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);

  /** The build from the zonky jar on the classpath, unpacked once per machine. */
  static PostgresBinaries bundled() {
    Path home = BundledPostgres.home();
    return new PostgresBinaries(home.resolve("bin"), home.resolve("lib"));
  }

  /** The build in this zonky jar (not necessarily on the classpath), unpacked once per machine. */
  static PostgresBinaries bundled(Path zonkyJar) {
    Path home = BundledPostgres.home(zonkyJar);
    return new PostgresBinaries(home.resolve("bin"), home.resolve("lib"));
  }

  /**
   * An installed PostgreSQL, such as Debian's {@code /usr/lib/postgresql/15/bin}. Its library
   * directory is taken to be {@code ../lib} (on Debian that holds server modules, not libpq).
   */
  static PostgresBinaries installed(Path binDirectory) {
    Path bin = binDirectory.toAbsolutePath().normalize();
    for (String program : PROGRAMS) {
      if (!Files.isExecutable(bin.resolve(program))) {
        throw new PostgresServerException("No executable " + program + " in " + bin);
      }
    }
    return new PostgresBinaries(bin, bin.resolveSibling("lib"));
  }

  String program(String name) {
    return binDirectory.resolve(name).toString();
  }

  /** The server's version, "17.6", as {@code postgres --version} prints it. */
  String version(ServerAccount account) {
    Commands.Result result =
        Commands.run(
            account.wrap(List.of(program("postgres"), "--version")),
            Path.of("/"),
            null,
            VERSION_TIMEOUT);
    Matcher matcher = VERSION.matcher(result.output());
    if (!result.succeeded() || !matcher.find()) {
      throw new PostgresServerException("Cannot tell the version of " + binDirectory + ": " + result);
    }
    return matcher.group(1);
  }
}
