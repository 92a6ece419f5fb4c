package io.pgtls.tls;

import java.nio.file.Path;

/** PEM files for tests outside this package: a CA, and a localhost server certificate and key. */
public final class TestMaterialFiles {
  public final Path caCertificate;
  public final Path serverCertificate;
  public final Path serverKey;
  /** A key that belongs to no certificate here. */
  public final Path strayKey;

  private TestMaterialFiles(Path dir) {
    TestPki.Issued ca = TestPki.ca("pgtls test CA");
    TestPki.Issued server = TestPki.server(ca, "localhost", "localhost", "127.0.0.1");
    TestPki.Issued stray = TestPki.server(ca, "stray", "stray");
    caCertificate = TestPki.writeCertificates(dir.resolve("ca.crt"), ca);
    serverCertificate = TestPki.writeCertificates(dir.resolve("server.crt"), server);
    serverKey = TestPki.writePkcs8Key(dir.resolve("server.key"), server);
    strayKey = TestPki.writePkcs8Key(dir.resolve("stray.key"), stray);
  }

  public static TestMaterialFiles write(Path dir) {
    return new TestMaterialFiles(dir);
  }
}
