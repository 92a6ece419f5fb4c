package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.tls.TestPki.Issued;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemCertificatesTest {

  private static Issued root;
  private static Issued intermediate;
  private static Issued leaf;

  @TempDir
  Path dir;

  @BeforeAll
  static void pki() {
    root = TestPki.ca("pgtls test root");
    intermediate = TestPki.intermediate(root, "pgtls test intermediate");
    leaf = TestPki.server(intermediate, "db.example.com", "db.example.com");
  }

  @Test
  void chainKeepsFileOrderAndSkipsOpensslTextBetweenBlocks() throws Exception {
    String text = "Bag Attributes\n"
        + "    localKeyID: 01 00 00 00\n"
        + "    friendlyName: db.example.com\n"
        + "subject=CN = db.example.com\n"
        + "issuer=CN = pgtls test intermediate\n"
        + TestPki.pem(leaf.certificate())
        + "\nBag Attributes: <No Attributes>\n"
        + "subject=CN = pgtls test intermediate\n"
        + "issuer=CN = pgtls test root\n\n"
        + TestPki.pem(intermediate.certificate());
    Path file = TestPki.write(dir.resolve("chain.pem"), text);

    List<X509Certificate> chain = Pem.readCertificates(file);

    assertThat(chain).containsExactly(leaf.certificate(), intermediate.certificate());
  }

  @Test
  void windowsLineEndingsAndByteOrderMarkAreAccepted() throws Exception {
    String text = "\uFEFF" + TestPki.pem(leaf.certificate()).replace("\n", "\r\n");
    Path file = dir.resolve("windows.pem");
    java.nio.file.Files.write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(Pem.readCertificates(file)).containsExactly(leaf.certificate());
  }

  @Test
  void fileWithoutCertificatesIsAnErrorNotAnEmptyChain() {
    Path file = TestPki.writePkcs8Key(dir.resolve("server.key"), leaf);

    assertThatThrownBy(() -> Pem.readCertificates(file))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessage("cannot read certificates from " + file + ": no PEM certificate block found "
            + "(expected BEGIN CERTIFICATE); found BEGIN PRIVATE KEY (line 1)");
  }

  @Test
  void binaryDerFileIsReportedAsHavingNoPemBlocks() throws Exception {
    Path file = dir.resolve("server.der");
    java.nio.file.Files.write(file, leaf.certificate().getEncoded());

    assertThatThrownBy(() -> Pem.readCertificates(file))
        .hasMessageContaining(file.toString())
        .hasMessageContaining("the file contains no PEM blocks");
  }

  @Test
  void truncatedBlockNamesTheBeginLineInsteadOfReadingPastIt() {
    String pem = TestPki.pem(leaf.certificate());
    Path file = TestPki.write(dir.resolve("truncated.pem"),
        "# comment\n" + pem.substring(0, pem.indexOf("-----END")));

    assertThatThrownBy(() -> Pem.readCertificates(file))
        .hasMessageContaining("the BEGIN CERTIFICATE block at line 2 has no \"-----END CERTIFICATE-----\" line");
  }

  @Test
  void damagedBase64IsNotSilentlySkipped() {
    String pem = TestPki.pem(leaf.certificate());
    int body = pem.indexOf('\n') + 1;
    Path file = TestPki.write(dir.resolve("damaged.pem"), pem.substring(0, body) + "!!" + pem.substring(body + 2));

    assertThatThrownBy(() -> Pem.readCertificates(file))
        .hasMessageContaining("the BEGIN CERTIFICATE block at line 1 is not valid base64");
  }

  @Test
  void blockThatIsNotACertificateNamesItsLine() {
    String notACertificate = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
    String first = TestPki.pem(leaf.certificate());
    Path file = TestPki.write(dir.resolve("bad.pem"), first + notACertificate);

    assertThatThrownBy(() -> Pem.readCertificates(file))
        .hasMessageStartingWith("cannot read certificates from " + file + ": the BEGIN CERTIFICATE (line "
            + (first.lines().count() + 1) + ") block is not a valid X.509 certificate");
  }

  @Test
  void missingCertificateFileSaysSo() {
    Path file = dir.resolve("absent.pem");

    assertThatThrownBy(() -> Pem.readCertificates(file))
        .hasMessage("cannot read certificates from " + file + ": file does not exist");
  }
}
