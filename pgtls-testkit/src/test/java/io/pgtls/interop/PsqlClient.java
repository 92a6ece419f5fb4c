package io.pgtls.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Debian's psql as a process: with the system libpq 15, or with libpq 17 from the zonky archive
 * through {@code LD_LIBRARY_PATH} (then optionally with {@code sslnegotiation=direct}).
 */
final class PsqlClient implements InteropClient {
  private final String name;
  private final Supplier<Path> libpqDirectory;
  private final boolean direct;

  private PsqlClient(String name, Supplier<Path> libpqDirectory, boolean direct) {
    this.name = name;
    this.libpqDirectory = libpqDirectory;
    this.direct = direct;
  }

  static PsqlClient systemLibpq() {
    return new PsqlClient("psql (libpq 15)", null, false);
  }

  /** {@code libpqDirectory} holds libpq.so.5 of PostgreSQL 17 and the OpenSSL it links to. */
  static PsqlClient libpq17(Supplier<Path> libpqDirectory, boolean direct) {
    return new PsqlClient(direct ? "psql (libpq 17, sslnegotiation=direct)" : "psql (libpq 17)", libpqDirectory,
        direct);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void requireInstalled() {
    Installed.require("psql", "Debian: apt-get install postgresql-client");
    if (libpqDirectory != null && !Files.exists(libpqDirectory.get().resolve("libpq.so.5"))) {
      Installed.missing("no libpq.so.5 in " + libpqDirectory.get());
    }
  }

  @Override
  public Outcome query(Endpoint endpoint, String sql) {
    return Processes.run(env(endpoint), command(endpoint, sql));
  }

  @Override
  public Outcome cancel(Endpoint endpoint, String sql, Runnable running) {
    Processes.Running psql = Processes.start(env(endpoint), command(endpoint, sql));
    running.run();
    Processes.interrupt(psql.pid());
    return psql.finish();
  }

  @Override
  public String cancelMechanism() {
    return "SIGINT (Ctrl-C): PQcancel, a CancelRequest in plaintext on a new connection";
  }

  @Override
  public boolean directTls() {
    return direct;
  }

  @Override
  public boolean canRequireChannelBinding() {
    return true;
  }

  @Override
  public String untrustedServerError() {
    return "certificate verify failed";
  }


  private Map<String, String> env(Endpoint endpoint) {
    Map<String, String> env = new HashMap<>();
    env.put("PGPASSWORD", endpoint.password());
    if (libpqDirectory != null) {
      env.put("LD_LIBRARY_PATH", libpqDirectory.get().toString());
    }
    return env;
  }

  private List<String> command(Endpoint endpoint, String sql) {
    return List.of(Installed.require("psql", "Debian: apt-get install postgresql-client").toString(),
        "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", endpoint.conninfo(direct), "-c", sql);
  }
}
