package io.pgtls.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Creates roles and databases before the first start, through {@code postgres --single}: no
 * client library (the testkit does not depend on pgjdbc at run time) and no psql (the bundled
 * build has none) are needed.
 */
final class SetupSql {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private SetupSql() {}

  static List<String> statements(Map<String, String> users, String database) {
    List<String> statements = new ArrayList<>();
    users.forEach(
        (user, password) ->
            statements.add(
                "CREATE ROLE " + identifier(user) + " LOGIN PASSWORD " + literal(password)));
    if (database != null) {
      String owner = users.isEmpty() ? "postgres" : users.keySet().iterator().next();
      statements.add("CREATE DATABASE " + identifier(database) + " OWNER " + identifier(owner));
    }
    return statements;
  }

  /**
   * Runs {@code statements} in single-user mode against the stopped cluster.
   *
   * <p>Two quirks of single-user mode: with {@code -j} a statement ends at a semicolon followed by
   * an empty line, and everything sent as one block runs in one transaction (so CREATE DATABASE
   * fails, "cannot run inside a transaction block") — hence one block per statement. And {@code
   * postgres --single} exits 0 even when a statement failed, so the output is searched for errors.
   */
  static void run(PostgresBinaries binaries, ServerAccount account, Path dataDirectory, List<String> statements) {
    if (statements.isEmpty()) {
      return;
    }
    StringBuilder input = new StringBuilder();
    for (String statement : statements) {
      input.append(statement).append(";\n\n");
    }
    List<String> command =
        List.of(
            binaries.program("postgres"),
            "--single",
            "-j",
            "-D",
            dataDirectory.toString(),
            "-c",
            "password_encryption=scram-sha-256",
            "-c",
            "log_min_messages=warning",
            "postgres");
    Commands.Result result =
        Commands.run(account.wrap(command), dataDirectory, input.toString(), TIMEOUT);
    if (!result.succeeded() || result.output().contains("ERROR:") || result.output().contains("FATAL:")) {
      throw new PostgresServerException("Setting up roles and databases failed: " + result);
    }
  }

  static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
