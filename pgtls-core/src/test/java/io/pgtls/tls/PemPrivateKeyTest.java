package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.pgtls.tls.TestPki.Issued;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PemPrivateKeyTest {

  private static final String P256_OID = "1.2.840.10045.3.1.7";

  @TempDir
  Path dir;

  @Test
  void pkcs8RsaKeyIsReadAsWritten() throws Exception {
    KeyPair keys = TestPki.rsa();
    Path file = TestPki.write(dir.resolve("rsa.pk8.pem"), TestPki.pem(TestPki.pkcs8(keys.getPrivate())));

    PrivateKey key = Pem.readPrivateKey(file);

    assertThat(key.getAlgorithm()).isEqualTo("RSA");
    assertThat(key.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @ParameterizedTest
  @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1"})
  void pkcs8EcKeyIsReadAsWritten(String curve) throws Exception {
    KeyPair keys = TestPki.ec(curve);
    Path file = TestPki.write(dir.resolve("ec.pk8.pem"), TestPki.pem(TestPki.pkcs8(keys.getPrivate())));

    PrivateKey key = Pem.readPrivateKey(file);

    assertThat(key.getAlgorithm()).isEqualTo("EC");
    assertThat(key.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @Test
  void pkcs1RsaKeyIsWrappedIntoPkcs8ByHand() throws Exception {
    KeyPair keys = TestPki.rsa();
    String pem = TestPki.pem(keys.getPrivate());
    assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    Path file = TestPki.write(dir.resolve("rsa.pem"), pem);

    PrivateKey key = Pem.readPrivateKey(file);

    assertThat(key.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @ParameterizedTest
  @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1"})
  void sec1EcKeyTakesTheCurveFromItsOwnParameters(String curve) throws Exception {
    KeyPair keys = TestPki.ec(curve);
    String pem = TestPki.pem(keys.getPrivate());
    assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");
    Path file = TestPki.write(dir.resolve("ec.pem"), pem);

    PrivateKey key = Pem.readPrivateKey(file);

    assertThat(key.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @Test
  void sec1EcKeyAfterAnEcParametersBlockIsNotConfusedByIt() throws Exception {
    // What 'openssl ecparam -name prime256v1 -genkey' writes.
    KeyPair keys = TestPki.ec("secp256r1");
    Path file = TestPki.write(dir.resolve("ecparam.pem"), ecParameters(P256_OID) + TestPki.pem(keys.getPrivate()));

    PrivateKey key = Pem.readPrivateKey(file);

    assertThat(key.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @Test
  void sec1EcKeyWithoutInlineCurveUsesThePrecedingEcParametersBlock() throws Exception {
    KeyPair keys = TestPki.jdkEc("secp256r1"); // the JDK's SEC1 encoding omits [0] parameters
    Path file = TestPki.write(dir.resolve("ecparam.pem"), ecParameters(P256_OID) + TestPki.pem(keys.getPrivate()));

    PrivateKey key = Pem.readPrivateKey(file);

    assertThat(key.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @Test
  void sec1EcKeyWithoutAnyCurveSaysHowToConvertIt() {
    KeyPair keys = TestPki.jdkEc("secp256r1");
    Path file = TestPki.write(dir.resolve("nocurve.pem"), TestPki.pem(keys.getPrivate()));

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .hasMessageContaining("does not say which curve it uses")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void ed25519Pkcs8KeyFromTheJdkIsRead() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Path file = TestPki.write(dir.resolve("ed25519.pem"), TestPki.pem(TestPki.pkcs8(keys.getPrivate())));

    PrivateKey key = Pem.readPrivateKey(file);

    assertThat(key.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @Test
  void ed25519Pkcs8V2KeyWithEmbeddedPublicKeyIsRead() throws Exception {
    // BouncyCastle writes OneAsymmetricKey (version 1, with the public key); OpenSSL writes version 0.
    KeyPair keys = TestPki.ed25519();
    Path file = TestPki.write(dir.resolve("ed25519-v2.pem"), TestPki.pem(TestPki.pkcs8(keys.getPrivate())));

    PrivateKey key = Pem.readPrivateKey(file);

    assertThat(key.getAlgorithm()).isIn("EdDSA", "Ed25519");
    assertThat(KeyPairCheck.matches(key, keys.getPublic())).isTrue();
  }

  @Test
  void encryptedPkcs8KeyExplainsHowToDecrypt() throws Exception {
    KeyPair keys = TestPki.rsa();
    JcaPKCS8Generator encrypted = new JcaPKCS8Generator(keys.getPrivate(),
        new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
            .setProvider(TestPki.BC).setPassword("secret".toCharArray()).build());
    String pem = TestPki.pem(encrypted);
    assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    Path file = TestPki.write(dir.resolve("encrypted.key"), pem);

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageStartingWith("cannot read private key from " + file + ": ")
        .hasMessageContaining("encrypted")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + file + " -out " + file + ".pk8.pem");
  }

  @Test
  void legacyProcTypeEncryptedKeyExplainsHowToDecrypt() throws Exception {
    KeyPair keys = TestPki.rsa();
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(keys.getPrivate(),
          new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(TestPki.BC).build("secret".toCharArray()));
    }
    assertThat(out.toString()).contains("Proc-Type: 4,ENCRYPTED");
    Path file = TestPki.write(dir.resolve("legacy-encrypted.key"), out.toString());

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .hasMessageContaining("encrypted")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt -in " + file);
  }

  @Test
  void missingKeyFileSaysFileDoesNotExist() {
    Path file = dir.resolve("proxy.key");

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessage("cannot read private key from " + file + ": file does not exist");
  }

  @Test
  void emptyKeyFileSaysFileIsEmpty() {
    Path file = TestPki.write(dir.resolve("proxy.key"), "");

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .hasMessage("cannot read private key from " + file + ": file is empty");
  }

  @Test
  void directoryGivenAsKeySaysSo() {
    assertThatThrownBy(() -> Pem.readPrivateKey(dir))
        .hasMessage("cannot read private key from " + dir + ": it is a directory, not a file");
  }

  @Test
  void unreadableKeyFileSaysPermissionDenied() throws Exception {
    Path file = TestPki.write(dir.resolve("proxy.key"), TestPki.pem(TestPki.pkcs8(TestPki.rsa().getPrivate())));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(file), "running as a user (root) that can read any file");

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .hasMessage("cannot read private key from " + file + ": permission denied");
  }

  @Test
  void certificateGivenAsKeyNamesWhatWasFound() {
    Issued ca = TestPki.ca("pgtls test CA");
    Path file = TestPki.writeCertificates(dir.resolve("server.crt"), ca);

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessage("cannot read private key from " + file + ": no PEM private key block found "
            + "(expected BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY); "
            + "found BEGIN CERTIFICATE (line 1)");
  }

  @Test
  void combinedCertificateAndKeyFileYieldsItsKey() throws Exception {
    Issued ca = TestPki.ca("pgtls test CA");
    Path file = TestPki.write(dir.resolve("combined.pem"),
        TestPki.pem(ca.certificate()) + TestPki.pem(ca.privateKey()));

    assertThat(Pem.readPrivateKey(file).getEncoded()).isEqualTo(ca.privateKey().getEncoded());
  }

  @Test
  void twoKeysInOneFileAreRefusedRatherThanGuessed() {
    String first = TestPki.pem(TestPki.rsa().getPrivate());
    Path file = TestPki.write(dir.resolve("two.key"), first + TestPki.pem(TestPki.pkcs8(TestPki.rsa().getPrivate())));

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .hasMessageContaining("the file holds 2 private keys (BEGIN RSA PRIVATE KEY (line 1), "
            + "BEGIN PRIVATE KEY (line " + (first.lines().count() + 1) + ")); expected exactly one");
  }

  @Test
  void garbageInsideAKeyBlockIsReportedAsMalformed() {
    Path file = TestPki.write(dir.resolve("bad.key"),
        "-----BEGIN RSA PRIVATE KEY-----\nMAMCAQA=\n-----END RSA PRIVATE KEY-----\n");

    assertThatThrownBy(() -> Pem.readPrivateKey(file))
        .hasMessageContaining("the RSA PRIVATE KEY block is not a PKCS#1 RSA key");
  }

  private static String ecParameters(String curveOid) throws Exception {
    return TestPki.pem(new PemObject("EC PARAMETERS", new ASN1ObjectIdentifier(curveOid).getEncoded()));
  }
}
