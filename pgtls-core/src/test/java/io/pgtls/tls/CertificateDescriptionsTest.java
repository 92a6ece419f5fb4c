package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.tls.TestPki.Issued;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class CertificateDescriptionsTest {

  @Test
  void describeShowsCommonNamesExpiryAndFingerprintPrefix() throws Exception {
    Issued ca = TestPki.ca("pgtls test CA");
    Issued leaf = TestPki.leaf(ca, "CN=db.example.com,O=Example,C=DE", TestPki.rsa(), KeyPurposeId.id_kp_serverAuth);
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(leaf.certificate().getEncoded());

    String description = TlsContexts.describe(leaf.certificate());

    assertThat(description).isEqualTo("CN=db.example.com (issuer CN=pgtls test CA, expires "
        + leaf.certificate().getNotAfter().toInstant() + ", SHA-256 "
        + HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256, 0, 8) + ":...)");
  }

  @Test
  void escapedCommaInCommonNameIsNotASeparator() {
    assertThat(CertificateDescriptions.name(new X500Principal("CN=Doe\\, John,O=Example")))
        .isEqualTo("CN=Doe, John");
  }

  @Test
  void nameWithoutCommonNameIsShownWhole() {
    assertThat(CertificateDescriptions.name(new X500Principal("O=Example,C=DE"))).isEqualTo("O=Example,C=DE");
  }
}
