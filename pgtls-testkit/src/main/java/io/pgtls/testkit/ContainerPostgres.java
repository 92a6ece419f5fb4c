package io.pgtls.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.opentest4j.TestAbortedException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.MountableFile;

/**
 * PostgreSQL in a container (Testcontainers), with ssl=on and the test CA's certificate. Only this
 * class touches Testcontainers, so TlsPostgres works without it on the classpath. Without a Docker
 * engine the test is skipped (aborted), never failed.
 */
final class ContainerPostgres implements AutoCloseable {
  private final PostgreSQLContainer container;

  private ContainerPostgres(PostgreSQLContainer container) {
    this.container = container;
  }

  static ContainerPostgres start(String image, IssuedCertificate server, String user, String password, String database,
      Path scratch) throws Exception {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      throw new TestAbortedException("TlsPostgres.testcontainers(\"" + image + "\") needs a Docker engine, and none "
          + "is reachable here; the embedded PostgreSQL (the default) needs none");
    }
    // PostgreSQL refuses a key file that others can read or that it does not own, and files copied
    // into a container belong to root: an init script (run as the postgres user during initdb)
    // copies them into the data directory with the right owner and mode, and turns ssl on.
    Path init = Files.writeString(scratch.resolve("pgtls-ssl.sh"), String.join("\n",
        "#!/bin/sh",
        "set -e",
        "cp /pgtls/server.crt \"$PGDATA/server.crt\"",
        "cp /pgtls/server.key \"$PGDATA/server.key\"",
        "chmod 600 \"$PGDATA/server.key\"",
        "echo \"ssl = on\" >> \"$PGDATA/postgresql.conf\"",
        "echo \"password_encryption = 'scram-sha-256'\" >> \"$PGDATA/postgresql.conf\"",
        ""));
    PostgreSQLContainer c = new PostgreSQLContainer(image)
        .withUsername(user).withPassword(password).withDatabaseName(database)
        .withEnv("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256")
        .withEnv("POSTGRES_INITDB_ARGS", "--auth-host=scram-sha-256")
        .withCopyFileToContainer(MountableFile.forHostPath(server.certificateFile(), 0644), "/pgtls/server.crt")
        .withCopyFileToContainer(MountableFile.forHostPath(server.privateKeyFile(), 0644), "/pgtls/server.key")
        .withCopyFileToContainer(MountableFile.forHostPath(init, 0755), "/docker-entrypoint-initdb.d/pgtls-ssl.sh");
    c.start();
    return new ContainerPostgres(c);
  }

  String host() {
    return container.getHost();
  }

  int port() {
    return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
  }

  @Override
  public void close() {
    container.close();
  }
}
