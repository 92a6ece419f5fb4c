package io.pgtls.interop;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * asyncpg (Debian's python3-asyncpg), a PostgreSQL protocol implementation of its own on Python's
 * ssl module, under {@code /usr/bin/python3} by path like {@link Psycopg2Client}.
 *
 * <p>asyncpg's cancel is its statement timeout: when it expires, asyncpg sends a CancelRequest on a
 * new connection and raises {@code TimeoutError} at once; it discards the server's answer to the
 * cancelled statement and holds the connection's next statement until that answer has come. The
 * script therefore reports the {@code TimeoutError}, and its next statement ends only once the
 * server has ended the cancelled one, which the matrix's deadline measures.
 */
final class AsyncpgClient extends ScriptedClient {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final String SCRIPT = """
      import asyncio, json, os, ssl, sys, time
      import asyncpg

      cfg = json.loads(os.environ['PGTLS_INTEROP'])


      def tls():
          if not cfg['encrypted']:
              return False
          # The CA with check_hostname and CERT_REQUIRED: the equivalent of sslmode=verify-full.
          context = ssl.create_default_context(cafile=cfg['ca'])
          if cfg.get('cert'):
              context.load_cert_chain(cfg['cert'], cfg['key'])
          return context


      def fail(e):
          # The exception and its causes: asyncpg reports a TLS alert as the cause of a closed connection.
          parts, seen = [], set()
          while e is not None and id(e) not in seen:
              seen.add(id(e))
              code = getattr(e, 'sqlstate', None)
              parts.append(('[%s] ' % code if code else '') + '%s: %s' % (type(e).__name__, e))
              e = e.__cause__ or e.__context__
          sys.stderr.write(' <- '.join(parts) + '\\n')
          return 1


      async def main():
          try:
              conn = await asyncpg.connect(host=cfg['host'], port=cfg['port'], database=cfg['database'],
                                           user=cfg['user'], password=cfg['password'], ssl=tls(), timeout=20)
          except Exception as e:
              return fail(e)
          rc = 0
          try:
              if cfg['action'] == 'query':
                  print(await conn.fetchval(cfg['sql']))
              else:
                  started = time.monotonic()
                  try:
                      # On timeout asyncpg sends a CancelRequest and raises TimeoutError.
                      await conn.execute(cfg['sql'], timeout=1.0)
                      print('not cancelled')
                  except asyncio.TimeoutError as e:
                      rc = fail(e)
                  # Runs once the server has ended the timed-out statement.
                  await conn.execute('select 1')
                  sys.stderr.write('the statement ended after %.1f s\\n' % (time.monotonic() - started))
          except Exception as e:
              rc = fail(e)
          finally:
              await conn.close()
          return rc

      sys.exit(asyncio.run(main()))
      """;

  @Override
  public String name() {
    return "asyncpg";
  }

  @Override
  public void requireInstalled() {
    requirePythonModule(PYTHON, "asyncpg", "python3-asyncpg");
  }


  @Override
  public String cancelledStatementError() {
    return "TimeoutError";
  }

  @Override
  public String cancelMechanism() {
    return "a statement timeout (execute(sql, timeout=1.0)): a CancelRequest inside TLS on a new connection";
  }

  @Override
  public boolean cancelsInsideTls() {
    return true;
  }

  @Override
  public String untrustedServerError() {
    return "certificate verify failed";
  }


  @Override
  Outcome run(Endpoint e, String action, String sql) {
    Map<String, Object> config = new HashMap<>(Map.of(
        "host", e.host(), "port", e.port(), "database", e.database(), "user", e.user(), "password", e.password(),
        "encrypted", e.encrypted(), "ca", e.rootCertificate().toString(), "action", action, "sql", sql));
    if (e.clientCertificate() != null) {
      config.put("cert", e.clientCertificate().toString());
      config.put("key", e.clientKey().toString());
    }
    Path script = Processes.script(".py", SCRIPT);
    return Processes.run(Map.of("PGTLS_INTEROP", Json.object(config)), List.of(PYTHON.toString(), script.toString()));
  }
}
