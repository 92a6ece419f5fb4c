package io.pgtls.interop;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/** The clients of the matrix, in the order the report lists them. */
final class InteropClients {
  private InteropClients() {}

  /**
   * Every client, or with the system property {@code pgtls.interop.clients} (comma-separated
   * fragments of names, e.g. {@code -Dpgtls.interop.clients=asyncpg,pgx}) those whose name contains
   * one of them: a part of the matrix for a local run.
   */
  static List<InteropClient> all() {
    String only = System.getProperty("pgtls.interop.clients", "").strip();
    if (only.isEmpty()) {
      return every();
    }
    List<String> fragments = Arrays.stream(only.split(",")).map(String::strip).filter(f -> !f.isEmpty()).toList();
    return every().stream().filter(c -> fragments.stream().anyMatch(c.name()::contains)).toList();
  }

  private static List<InteropClient> every() {
    // libpq 17 comes from the zonky archive on the classpath (lib/ holds libpq.so.5 and its OpenSSL).
    Supplier<Path> libpq17 = () -> InteropServers.all().get(0).postgres().libDirectory();
    return List.of(
        PsqlClient.systemLibpq(),
        PsqlClient.libpq17(libpq17, false),
        PsqlClient.libpq17(libpq17, true),
        new PgbenchClient(),
        new PgjdbcClient(false),
        new PgjdbcClient(true),
        new VertxClient(),
        new NodePostgresClient(false),
        new NodePostgresClient(true),
        new Psycopg2Client(),
        new AsyncpgClient(),
        new PgxClient());
  }
}
