package io.pgtls.e2e;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Clients other than psql, as processes: pgjdbc in a child JVM with a hosts file of its own,
 * node-postgres, psycopg2, openssl s_client. A missing one skips the test on a developer's machine
 * and fails it under CI=true, as {@link ClientTools} does.
 */
final class OtherClients {
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  private OtherClients() {}

  /**
   * pgjdbc in a child JVM whose resolver reads {@code hostsFile} only ({@code jdk.net.hosts.file}),
   * so the URL names the host as users write it and the JDK derives SNI from it; prints
   * {@code inet_server_port()}.
   */
  static ClientTools.Result pgjdbc(Path hostsFile, String url, String user, String password)
      throws IOException, InterruptedException {
    return ClientTools.run(Map.of(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djdk.net.hosts.file=" + hostsFile, "-cp", System.getProperty("java.class.path"),
        PgjdbcPortMain.class.getName(), url, user, password);
  }

  /** node-postgres with {@code config} (a JavaScript object literal); prints {@code inet_server_port()}. */
  static ClientTools.Result nodePostgres(String config) throws IOException, InterruptedException {
    Path modules = Path.of(System.getProperty("pgtls.interop.nodeModules", "target/node-clients/node_modules"))
        .toAbsolutePath();
    String node = require("node", "Debian: apt-get install nodejs");
    if (!Files.isRegularFile(modules.resolve("pg").resolve("package.json"))) {
      missing("node-postgres is not in " + modules + " (npm install --prefix " + modules.getParent() + " pg@8)");
    }
    String script = """
        const fs = require('fs')
        const pg = require('pg')
        const client = new pg.Client(%s)
        client.connect()
          .then(() => client.query({ text: 'select inet_server_port()', rowMode: 'array' }))
          .then(r => { console.log(String(r.rows[0][0])); return client.end() })
          .catch(e => { console.error((e.code ? '[' + e.code + '] ' : '') + e.message); process.exit(1) })
        """.formatted(config);
    return ClientTools.run(Map.of("NODE_PATH", modules.toString()), node, "-e", script);
  }

  /** psycopg2 (Debian's, on libpq) with a conninfo string; prints {@code inet_server_port()}. */
  static ClientTools.Result psycopg2(String conninfo, String password) throws IOException, InterruptedException {
    if (!Files.isExecutable(PYTHON) || ClientTools.run(Map.of(), PYTHON.toString(), "-c", "import psycopg2").exitCode != 0) {
      missing("psycopg2 is not importable by " + PYTHON + " (Debian: apt-get install python3-psycopg2)");
    }
    String script = """
        import sys, psycopg2
        try:
            conn = psycopg2.connect(sys.argv[1])
        except psycopg2.Error as e:
            sys.stderr.write(str(e))
            sys.exit(1)
        cur = conn.cursor()
        cur.execute('select inet_server_port()')
        print(cur.fetchone()[0])
        conn.close()
        """;
    return ClientTools.run(Map.of("PGPASSWORD", password), PYTHON.toString(), "-c", script, conninfo);
  }

  /** {@code openssl s_client} with these arguments, its standard input empty (it ends after the handshake). */
  static ClientTools.Result sClient(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(require("openssl", "Debian: apt-get install openssl"), "s_client"));
    command.addAll(List.of(args));
    return ClientTools.run(Map.of(), command.toArray(new String[0]));
  }

  /**
   * Debian's HAProxy, from PATH or /usr/sbin (not on every user's PATH); skips, or fails under
   * CI=true, when it is not installed.
   */
  static String haproxy() {
    Path sbin = Path.of("/usr/sbin/haproxy");
    if (Files.isExecutable(sbin)) {
      return sbin.toString();
    }
    return require("haproxy", "Debian: apt-get install haproxy; .ci/run installs it");
  }

  private static String require(String tool, String install) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    missing(tool + " is not installed (" + install + ")");
    return null;
  }

  private static void missing(String reason) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("CI=true and " + reason);
    }
    abort(reason);
  }
}
