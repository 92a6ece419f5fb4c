package io.pgtls.interop;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The matrix's certificates, made once per JVM. Every PostgreSQL and every pgtls listener present
 * the same server certificate: with the proxy's certificate equal to the backend's, the SCRAM
 * channel binding a client computes over the client leg matches what PostgreSQL expects over the
 * backend leg, so client defaults (and {@code channel_binding=require}) work on TLS→TLS routes.
 */
final class InteropPki {
  private static InteropPki instance;

  final Path directory;
  final TestPki ca;
  final IssuedCertificate server;
  /** A CA nobody in the matrix trusts: a client that trusts it alone must refuse the proxy. */
  final TestPki otherCa;
  /** The client_ca of the mTLS route, and a certificate for the matrix's user from it. */
  final TestPki clientCa;
  final IssuedCertificate client;

  private InteropPki() throws IOException {
    directory = Files.createTempDirectory("pgtls-interop-");
    ca = TestPki.create(directory.resolve("ca"));
    server = ca.server("postgres", "localhost", "127.0.0.1", "::1");
    otherCa = TestPki.create(directory.resolve("other-ca"), "other CA");
    clientCa = TestPki.create(directory.resolve("client-ca"), "client CA");
    client = clientCa.client(InteropServer.USER);
  }

  static synchronized InteropPki get() {
    if (instance == null) {
      try {
        instance = new InteropPki();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }
}
