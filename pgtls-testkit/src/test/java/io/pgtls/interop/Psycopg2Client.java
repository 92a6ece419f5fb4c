package io.pgtls.interop;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * psycopg2 (Debian's python3-psycopg2, on the system libpq 15). It runs under {@code
 * /usr/bin/python3} by path: a python3 earlier on the PATH (pyenv, a virtualenv) does not see
 * Debian's packages.
 */
final class Psycopg2Client extends ScriptedClient {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final String SCRIPT = """
      import json, os, sys, threading
      import psycopg2

      cfg = json.loads(os.environ['PGTLS_INTEROP'])
      try:
          conn = psycopg2.connect(cfg['dsn'])
      except psycopg2.Error as e:
          sys.stderr.write(str(e))
          sys.exit(1)
      conn.autocommit = True
      cur = conn.cursor()
      rc = 0
      if cfg['action'] == 'query':
          cur.execute(cfg['sql'])
          print(cur.fetchone()[0])
      else:
          # connection.cancel() is thread-safe: PQcancel, a plaintext CancelRequest.
          threading.Timer(1.0, conn.cancel).start()
          try:
              cur.execute(cfg['sql'])
              print('not cancelled')
          except psycopg2.Error as e:
              sys.stderr.write('[%s] %s' % (e.pgcode, e))
              rc = 1
          cur.execute('select 1')
      conn.close()
      sys.exit(rc)
      """;

  @Override
  public String name() {
    return "psycopg2 (libpq 15)";
  }

  @Override
  public void requireInstalled() {
    requirePythonModule(PYTHON, "psycopg2", "python3-psycopg2");
  }


  @Override
  public String cancelMechanism() {
    return "connection.cancel() from another thread: PQcancel, a CancelRequest in plaintext";
  }

  @Override
  public boolean canRequireChannelBinding() {
    return true;
  }

  @Override
  public String untrustedServerError() {
    return "certificate verify failed";
  }


  @Override
  Outcome run(Endpoint e, String action, String sql) {
    String config = Json.object(Map.of("dsn", e.conninfo(false), "action", action, "sql", sql));
    Path script = Processes.script(".py", SCRIPT);
    return Processes.run(Map.of("PGTLS_INTEROP", config, "PGPASSWORD", e.password()),
        List.of(PYTHON.toString(), script.toString()));
  }
}
