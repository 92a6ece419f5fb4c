package io.pgtls.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * A leaf certificate issued by a {@link TestPki}, its private key, and the files holding them.
 *
 * <p>The certificate, the chain and the key in PEM PKCS#8 and DER PKCS#8 are written when the
 * certificate is issued; the other encodings are written the first time they are asked for. Every
 * file holding a key has mode 0600.
 */
public final class IssuedCertificate {

  private final PemFiles files;
  private final String baseName;
  private final TestPki.KeyType keyType;
  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final X509Certificate caCertificate;
  private final Path certificateFile;
  private final Path chainFile;
  private final Path privateKeyFile;
  private final Path pkcs8DerFile;
  /** Written on first use: {@code .rsa.key} or {@code .ec.key}, depending on the key type. */
  private Path traditionalKeyFile;

  private IssuedCertificate(
      PemFiles files,
      String baseName,
      TestPki.KeyType keyType,
      X509Certificate certificate,
      PrivateKey privateKey,
      X509Certificate caCertificate)
      throws IOException {
    this.files = files;
    this.baseName = baseName;
    this.keyType = keyType;
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.caCertificate = caCertificate;
    this.certificateFile = files.writeCertificates(baseName + ".crt", certificate);
    this.chainFile = files.writeCertificates(baseName + "-chain.crt", certificate, caCertificate);
    this.privateKeyFile = files.writePrivateKey(baseName + ".key", privateKey);
    this.pkcs8DerFile = files.writePkcs8Der(baseName + ".pk8", privateKey);
  }

  static IssuedCertificate write(
      PemFiles files,
      String baseName,
      TestPki.KeyType keyType,
      X509Certificate certificate,
      PrivateKey privateKey,
      X509Certificate caCertificate)
      throws IOException {
    return new IssuedCertificate(files, baseName, keyType, certificate, privateKey, caCertificate);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The certificate's serial number, as a CRL lists it. */
  public BigInteger serialNumber() {
    return certificate.getSerialNumber();
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  public TestPki.KeyType keyType() {
    return keyType;
  }

  /** The certificate of the CA that issued this one. */
  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /** {@code <name>.crt}: this certificate alone, PEM. */
  public Path certificateFile() {
    return certificateFile;
  }

  /** {@code <name>-chain.crt}: this certificate followed by the CA certificate, PEM. */
  public Path chainFile() {
    return chainFile;
  }

  /** {@code <name>.key}: the private key, PEM PKCS#8 ({@code BEGIN PRIVATE KEY}), mode 0600. */
  public Path privateKeyFile() {
    return privateKeyFile;
  }

  /** {@code <name>.pk8}: the private key, DER PKCS#8 (pgjdbc's default {@code sslkey} format). */
  public Path pkcs8DerFile() {
    return pkcs8DerFile;
  }

  /**
   * {@code <name>.rsa.key}: the RSA key in PKCS#1 ({@code BEGIN RSA PRIVATE KEY}).
   *
   * @throws IllegalStateException if the key is not RSA
   */
  public synchronized Path rsaPkcs1KeyFile() {
    requireKeyType(TestPki.KeyType.RSA);
    if (traditionalKeyFile == null) {
      try {
        traditionalKeyFile = files.writeRsaPkcs1Key(baseName + ".rsa.key", privateKey);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return traditionalKeyFile;
  }

  /**
   * {@code <name>.ec.key}: the EC key in SEC1 ({@code BEGIN EC PRIVATE KEY}).
   *
   * @throws IllegalStateException if the key is not EC
   */
  public synchronized Path ecSec1KeyFile() {
    requireKeyType(TestPki.KeyType.EC);
    if (traditionalKeyFile == null) {
      try {
        traditionalKeyFile =
            files.writeEcSec1Key(baseName + ".ec.key", privateKey, certificate.getPublicKey());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return traditionalKeyFile;
  }

  /**
   * {@code <name>.enc.key}: the key in encrypted PEM PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}),
   * rewritten with {@code password} on every call.
   */
  public synchronized Path encryptedPrivateKeyFile(char[] password) {
    Objects.requireNonNull(password, "password");
    try {
      return files.writeEncryptedPrivateKey(baseName + ".enc.key", privateKey, password);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code <name>.p12}: key, certificate and CA certificate in a PKCS#12 store under the alias
   * {@code <name>}, with {@code password} for store and key; rewritten on every call.
   */
  public synchronized Path pkcs12File(char[] password) {
    Objects.requireNonNull(password, "password");
    try {
      return files.writePkcs12(
          baseName + ".p12",
          baseName,
          privateKey,
          new X509Certificate[] {certificate, caCertificate},
          password);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "IssuedCertificate["
        + certificate.getSubjectX500Principal().getName()
        + ", "
        + keyType
        + ", "
        + certificateFile
        + "]";
  }

  private void requireKeyType(TestPki.KeyType wanted) {
    if (keyType != wanted) {
      throw new IllegalStateException(
          "The key of " + baseName + " is " + keyType + ", not " + wanted);
    }
  }
}
