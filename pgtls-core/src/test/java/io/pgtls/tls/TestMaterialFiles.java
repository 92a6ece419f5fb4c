package io.pgtls.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** PEM files for tests outside this package: a CA and its CRL, and a localhost server certificate and key. */
public final class TestMaterialFiles {
  public final Path caCertificate;
  public final Path serverCertificate;
  public final Path serverKey;
  /** A key that belongs to no certificate here. */
  public final Path strayKey;
  /** A PEM CRL of the CA that revokes nothing, due for renewal at {@link #caCrlNextUpdate}. */
  public final Path caCrl;
  public final Instant caCrlNextUpdate;

  private TestMaterialFiles(Path dir) {
    TestPki.Issued ca = TestPki.ca("pgtls test CA");
    TestPki.Issued server = TestPki.server(ca, "localhost", "localhost", "127.0.0.1");
    TestPki.Issued stray = TestPki.server(ca, "stray", "stray");
    caCertificate = TestPki.writeCertificates(dir.resolve("ca.crt"), ca);
    serverCertificate = TestPki.writeCertificates(dir.resolve("server.crt"), server);
    serverKey = TestPki.writePkcs8Key(dir.resolve("server.key"), server);
    strayKey = TestPki.writePkcs8Key(dir.resolve("stray.key"), stray);
    caCrlNextUpdate = Instant.now().plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS);
    caCrl = TestPki.writeCrls(dir.resolve("ca.crl"), TestPki.crl(ca, caCrlNextUpdate));
  }

  public static TestMaterialFiles write(Path dir) {
    return new TestMaterialFiles(dir);
  }
}
