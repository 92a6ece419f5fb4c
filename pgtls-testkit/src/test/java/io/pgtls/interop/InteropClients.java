package io.pgtls.interop;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** The clients of the matrix, in the order the report lists them. */
final class InteropClients {
  private InteropClients() {}

  static List<InteropClient> all() {
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
        new Psycopg2Client());
  }
}
