package io.pgtls.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * node-postgres ({@code pg} from npm) in a node process, optionally with {@code sslnegotiation:
 * 'direct'} (node-postgres 8.22 and later). .ci/run installs it with {@code npm install --prefix
 * pgtls-testkit/target/node-clients pg@8}; the surefire configuration names that directory.
 */
final class NodePostgresClient extends ScriptedClient {
  private static final String SCRIPT = """
      'use strict'
      const fs = require('fs')
      const pg = require('pg')
      const cfg = JSON.parse(process.env.PGTLS_INTEROP)

      function config() {
        const c = { host: cfg.host, port: cfg.port, database: cfg.database, user: cfg.user,
          password: cfg.password, connectionTimeoutMillis: 20000 }
        if (!cfg.encrypted) {
          c.ssl = false
          return c
        }
        // A CA and the default checkServerIdentity: the equivalent of sslmode=verify-full.
        c.ssl = { ca: fs.readFileSync(cfg.ca, 'utf8') }
        if (cfg.cert) {
          c.ssl.cert = fs.readFileSync(cfg.cert, 'utf8')
          c.ssl.key = fs.readFileSync(cfg.key, 'utf8')
        }
        if (cfg.direct) {
          c.sslnegotiation = 'direct'
        }
        return c
      }

      function fail(e) {
        process.stderr.write((e.code ? '[' + e.code + '] ' : '') + (e.message || e) + '\\n')
        process.exitCode = 1
      }

      async function main() {
        const client = new pg.Client(config())
        client.on('error', fail)
        await client.connect()
        if (cfg.action === 'query') {
          const r = await client.query({ text: cfg.sql, rowMode: 'array' })
          process.stdout.write(String(r.rows[0][0]) + '\\n')
        } else {
          const query = new pg.Query(cfg.sql)
          const done = new Promise((resolve, reject) => { query.on('end', resolve); query.on('error', reject) })
          client.query(query)
          // Client#cancel opens its own connection and sends the CancelRequest as soon as TCP
          // connects, in plaintext (it never sends an SSLRequest first, whatever its ssl setting).
          setTimeout(() => {
            const canceller = new pg.Client({ host: cfg.host, port: cfg.port })
            canceller.connection.on('error', () => {})
            canceller.cancel(client, query)
          }, 1000)
          try {
            await done
            process.stdout.write('not cancelled\\n')
          } catch (e) {
            fail(e)
          }
          await client.query('select 1')
        }
        await client.end()
      }

      main().catch(fail)
      """;

  private final boolean direct;

  NodePostgresClient(boolean direct) {
    this.direct = direct;
  }

  static Path nodeModules() {
    return Path.of(System.getProperty("pgtls.interop.nodeModules", "target/node-clients/node_modules"))
        .toAbsolutePath();
  }

  @Override
  public String name() {
    return direct ? "node-postgres (sslnegotiation=direct)" : "node-postgres";
  }

  @Override
  public void requireInstalled() {
    Installed.require("node", "Debian: apt-get install nodejs");
    if (!Files.isRegularFile(nodeModules().resolve("pg").resolve("package.json"))) {
      Installed.missing("node-postgres is not in " + nodeModules() + " (npm install --prefix "
          + nodeModules().getParent() + " pg@8)");
    }
  }

  @Override
  public String cancelMechanism() {
    return "Client#cancel(client, query): a CancelRequest in plaintext on a new connection";
  }

  @Override
  public boolean directTls() {
    return direct;
  }

  @Override
  public String untrustedServerError() {
    // pgtls (like PostgreSQL) sends only the leaf; node names the missing issuer this way.
    return "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
  }


  @Override
  Outcome run(Endpoint e, String action, String sql) {
    Map<String, Object> config = new HashMap<>(Map.of(
        "host", e.host(), "port", e.port(), "database", e.database(), "user", e.user(), "password", e.password(),
        "encrypted", e.encrypted(), "ca", e.rootCertificate().toString(), "direct", direct, "action", action,
        "sql", sql));
    if (e.clientCertificate() != null) {
      config.put("cert", e.clientCertificate().toString());
      config.put("key", e.clientKey().toString());
    }
    Path script = Processes.script(".js", SCRIPT);
    return Processes.run(Map.of("PGTLS_INTEROP", Json.object(config), "NODE_PATH", nodeModules().toString()),
        List.of(Installed.require("node", "Debian: apt-get install nodejs").toString(), script.toString()));
  }
}
