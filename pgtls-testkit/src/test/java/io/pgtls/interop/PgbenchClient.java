package io.pgtls.interop;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * pgbench (libpq 15) running one transaction of a custom script. pgbench prints no rows, so the
 * script stores the value with {@code \gset} and prints it with {@code \shell echo}.
 */
final class PgbenchClient implements InteropClient {
  private static final String RESULT = "pgtls-result:";
  private static final String[] DEBIAN_BIN = {"/usr/lib/postgresql/15/bin"};

  @Override
  public String name() {
    return "pgbench (libpq 15)";
  }

  @Override
  public void requireInstalled() {
    program();
  }

  private static Path program() {
    return Installed.require("pgbench", "Debian: apt-get install postgresql", DEBIAN_BIN);
  }

  @Override
  public Outcome query(Endpoint endpoint, String sql) {
    Path script = Processes.script(".sql", "select (" + sql + ") as v \\gset\n\\shell echo " + RESULT + " :v\n");
    Outcome o = Processes.run(env(endpoint), command(endpoint, script));
    String value = o.output().lines().filter(l -> l.startsWith(RESULT)).map(l -> l.substring(RESULT.length()).strip())
        .findFirst().orElse(null);
    // pgbench exits 0 even when a transaction failed in some versions; no value means no success.
    return new Outcome(o.succeeded() && value != null, value, o.error(), o.elapsed());
  }

  /** pgbench has no cancel: SIGINT ends it (exit 130) without a CancelRequest. */
  @Override
  public Outcome cancel(Endpoint endpoint, String sql, Runnable running) {
    throw new UnsupportedOperationException(cancelMechanism());
  }

  @Override
  public String cancelMechanism() {
    return "none: SIGINT ends pgbench (exit 130) without a CancelRequest; the statement runs on";
  }

  @Override
  public boolean canCancel() {
    return false;
  }

  @Override
  public boolean canRequireChannelBinding() {
    return true;
  }

  @Override
  public String untrustedServerError() {
    return "certificate verify failed";
  }


  private static Map<String, String> env(Endpoint endpoint) {
    return Map.of("PGPASSWORD", endpoint.password());
  }

  /** The conninfo goes where the database name goes; pgbench expands it like psql -d. */
  private static List<String> command(Endpoint endpoint, Path script) {
    return List.of(program().toString(), "-n", "-c", "1", "-t", "1", "-f", script.toString(),
        endpoint.conninfo(false));
  }
}
