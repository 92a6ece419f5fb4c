package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.tls.TestPki.Issued;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {

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
  void loadsChainLeafFirstWithItsKey() throws Exception {
    Path chain = TestPki.writeCertificates(dir.resolve("server.crt"), leaf, intermediate);
    Path key = TestPki.write(dir.resolve("server.key"), TestPki.pem(leaf.privateKey()));

    TlsMaterial material = TlsMaterial.load(chain, key);

    assertThat(material.chain()).containsExactly(leaf.certificate(), intermediate.certificate());
    assertThat(material.leaf()).isEqualTo(leaf.certificate());
    assertThat(material.privateKey().getEncoded()).isEqualTo(leaf.privateKey().getEncoded());
    assertThat(material.notAfter()).isEqualTo(leaf.certificate().getNotAfter().toInstant());
  }

  @Test
  void keyThatDoesNotMatchCertificateIsRejected() {
    Path chain = TestPki.writeCertificates(dir.resolve("server.crt"), leaf, intermediate);
    Path key = TestPki.writePkcs8Key(dir.resolve("other.key"), TestPki.server(intermediate, "other", "other"));

    assertThatThrownBy(() -> TlsMaterial.load(chain, key))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageStartingWith("certificate " + chain + " and private key " + key + " do not match");
  }

  @Test
  void keyOfTheIntermediateInsteadOfTheLeafIsRejected() {
    Path chain = TestPki.writeCertificates(dir.resolve("server.crt"), leaf, intermediate);
    Path key = TestPki.writePkcs8Key(dir.resolve("intermediate.key"), intermediate);

    assertThatThrownBy(() -> TlsMaterial.load(chain, key)).hasMessageContaining("do not match");
  }

  @Test
  void rsaKeyWithSameModulusButOtherExponentIsRejected() throws Exception {
    // Comparing the modulus alone is not enough when the exponent differs.
    RSAPrivateCrtKey real = (RSAPrivateCrtKey) leaf.privateKey();
    java.security.spec.RSAPrivateCrtKeySpec forged = new java.security.spec.RSAPrivateCrtKeySpec(
        real.getModulus(), java.math.BigInteger.valueOf(3), real.getPrivateExponent(), real.getPrimeP(),
        real.getPrimeQ(), real.getPrimeExponentP(), real.getPrimeExponentQ(), real.getCrtCoefficient());
    java.security.PrivateKey forgedKey = java.security.KeyFactory.getInstance("RSA").generatePrivate(forged);

    assertThat(KeyPairCheck.matches(forgedKey, leaf.certificate().getPublicKey())).isFalse();
    assertThat(KeyPairCheck.matches(leaf.privateKey(), leaf.certificate().getPublicKey())).isTrue();
  }

  @Test
  void ecKeyOfAnotherPairOnTheSameCurveIsRejected() throws Exception {
    Issued ecLeaf = TestPki.leaf(root, "CN=ec", TestPki.ec("secp256r1"), KeyPurposeId.id_kp_serverAuth);
    Path chain = TestPki.writeCertificates(dir.resolve("ec.crt"), ecLeaf);
    Path ownKey = TestPki.write(dir.resolve("ec.key"), TestPki.pem(ecLeaf.privateKey()));
    Path otherKey = TestPki.write(dir.resolve("other-ec.key"), TestPki.pem(TestPki.ec("secp256r1").getPrivate()));

    assertThat(TlsMaterial.load(chain, ownKey).leaf()).isEqualTo(ecLeaf.certificate());
    assertThatThrownBy(() -> TlsMaterial.load(chain, otherKey)).hasMessageContaining("do not match");
  }

  @Test
  void ecKeyOnAnotherCurveIsRejectedNotAnException() {
    Issued ecLeaf = TestPki.leaf(root, "CN=ec", TestPki.ec("secp256r1"), KeyPurposeId.id_kp_serverAuth);
    Path chain = TestPki.writeCertificates(dir.resolve("ec.crt"), ecLeaf);
    Path otherKey = TestPki.write(dir.resolve("p384.key"), TestPki.pem(TestPki.ec("secp384r1").getPrivate()));

    assertThatThrownBy(() -> TlsMaterial.load(chain, otherKey)).hasMessageContaining("do not match");
  }

  @Test
  void ed25519KeysAreCheckedBySigning() throws Exception {
    Issued edLeaf = TestPki.leaf(root, "CN=ed", TestPki.ed25519(), KeyPurposeId.id_kp_serverAuth);
    Path chain = TestPki.writeCertificates(dir.resolve("ed.crt"), edLeaf);
    Path ownKey = TestPki.writePkcs8Key(dir.resolve("ed.key"), edLeaf);
    Path otherKey = TestPki.write(dir.resolve("other-ed.key"),
        TestPki.pem(TestPki.pkcs8(TestPki.ed25519().getPrivate())));

    assertThat(TlsMaterial.load(chain, ownKey).leaf()).isEqualTo(edLeaf.certificate());
    assertThatThrownBy(() -> TlsMaterial.load(chain, otherKey)).hasMessageContaining("do not match");
  }

  @Test
  void keyOfAnotherTypeIsRejected() {
    Path chain = TestPki.writeCertificates(dir.resolve("server.crt"), leaf);
    Path ecKey = TestPki.write(dir.resolve("ec.key"), TestPki.pem(TestPki.ec("secp256r1").getPrivate()));

    assertThatThrownBy(() -> TlsMaterial.load(chain, ecKey)).hasMessageContaining("do not match");
  }

  @Test
  void keyOnACurveTheJdkCannotSignWithIsNotReportedAsAMismatch() {
    // JDK 16+ parses secp256k1 keys but cannot sign with them.
    KeyPair k1 = TestPki.ec("secp256k1");
    Issued k1Leaf = TestPki.leaf(root, "CN=k1", k1, KeyPurposeId.id_kp_serverAuth);
    Path chain = TestPki.writeCertificates(dir.resolve("k1.crt"), k1Leaf);
    Path key = TestPki.write(dir.resolve("k1.key"), TestPki.pem(k1.getPrivate()));

    assertThatThrownBy(() -> TlsMaterial.load(chain, key))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageStartingWith("cannot use private key " + key + ": this Java runtime cannot sign with this EC key")
        .hasMessageNotContaining("do not match");
  }

  @Test
  void chainInWrongOrderIsReportedAtLoadNotWhenTheKeyStoreRefusesIt() {
    Path chain = TestPki.writeCertificates(dir.resolve("reversed.crt"), intermediate, leaf);
    Path key = TestPki.writePkcs8Key(dir.resolve("server.key"), leaf);

    assertThatThrownBy(() -> TlsMaterial.load(chain, key))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageStartingWith("cannot use certificate chain " + chain + ": certificate #2 (CN=db.example.com) "
            + "did not issue certificate #1 (issued by CN=pgtls test root)");
  }

  @Test
  void repeatedCertificateInChainIsReported() {
    Path chain = TestPki.writeCertificates(dir.resolve("repeated.crt"), root, root);
    Path key = TestPki.writePkcs8Key(dir.resolve("root.key"), root);

    assertThatThrownBy(() -> TlsMaterial.load(chain, key))
        .hasMessageContaining("the same certificate appears more than once");
  }

  @Test
  void jdkKeyStoreStillRefusesOutOfOrderChains() throws Exception {
    // Pins the JDK behaviour that CertificateChains.checkOrder exists for.
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);

    assertThatThrownBy(() -> store.setKeyEntry("x", leaf.privateKey(), "p".toCharArray(),
        new Certificate[] {intermediate.certificate(), leaf.certificate()}))
        .isInstanceOf(java.security.KeyStoreException.class)
        .hasMessageContaining("Certificate chain is not valid");
  }

  @Test
  void toStringNeverShowsKeyMaterial() throws Exception {
    Path chain = TestPki.writeCertificates(dir.resolve("server.crt"), leaf, intermediate);
    Path key = TestPki.writePkcs8Key(dir.resolve("server.key"), leaf);
    RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) leaf.privateKey();

    String text = TlsMaterial.load(chain, key).toString();

    assertThat(text).contains("CN=db.example.com").contains("RSA key")
        .doesNotContain(rsa.getPrivateExponent().toString()).doesNotContain(rsa.getPrivateExponent().toString(16));
  }
}
