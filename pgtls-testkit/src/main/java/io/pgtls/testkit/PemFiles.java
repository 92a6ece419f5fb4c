package io.pgtls.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.io.pem.PemObject;

/** Writes certificates and keys into one directory, in the encodings TLS tools expect. */
final class PemFiles {

  /**
   * libpq refuses a client key that group or others may read ("has group or world access"), and
   * the PostgreSQL server refuses such a server key unless it is owned by root.
   */
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private final Path directory;

  PemFiles(Path directory) {
    this.directory = directory;
  }

  /** A base file name not used yet in the directory, made of characters safe on any file system. */
  synchronized String uniqueBaseName(String wanted) {
    String safe = wanted.replaceAll("[^A-Za-z0-9._-]", "_");
    String candidate = safe;
    for (int i = 2; Files.exists(directory.resolve(candidate + ".crt")); i++) {
      candidate = safe + "-" + i;
    }
    return candidate;
  }

  /**
   * Writes {@code content} to a file not there before: {@code base + suffix}, else {@code base-2 +
   * suffix}, and so on. CREATE_NEW makes the choice safe against concurrent callers.
   */
  Path writeNewFile(String base, String suffix, byte[] content) throws IOException {
    for (int i = 1; ; i++) {
      Path file = directory.resolve(i == 1 ? base + suffix : base + "-" + i + suffix);
      try {
        return Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException taken) {
        // next number
      }
    }
  }

  /** PEM, {@code -----BEGIN X509 CRL-----}, as openssl and PostgreSQL's ssl_crl_file read it. */
  Path writeNewCrl(String base, X509CRL crl) throws IOException {
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
      writer.writeObject(crl);
    }
    return writeNewFile(base, ".pem", pem.toString().getBytes(StandardCharsets.US_ASCII));
  }

  Path writeCertificates(String fileName, X509Certificate... certificates) throws IOException {
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
      for (X509Certificate certificate : certificates) {
        writer.writeObject(certificate);
      }
    }
    Path file = directory.resolve(fileName);
    Files.writeString(file, pem.toString(), StandardCharsets.US_ASCII);
    return file;
  }

  /** PEM PKCS#8, {@code -----BEGIN PRIVATE KEY-----}. */
  Path writePrivateKey(String fileName, PrivateKey key) throws IOException {
    return writeSecretPem(fileName, new JcaPKCS8Generator(key, null));
  }

  /** PKCS#1, {@code -----BEGIN RSA PRIVATE KEY-----} (BouncyCastle's default for a bare RSA key). */
  Path writeRsaPkcs1Key(String fileName, PrivateKey key) throws IOException {
    return writeSecretPem(fileName, key);
  }

  /**
   * SEC1, {@code -----BEGIN EC PRIVATE KEY-----}, with the curve and public key inside as OpenSSL
   * writes it. Built by hand: the JDK's PKCS#8 encoding keeps the curve in the outer algorithm
   * identifier only, and BouncyCastle's PEM writer unwraps the inner structure as it is, which
   * leaves a SEC1 key without its curve that neither the JDK nor OpenSSL can read back.
   */
  Path writeEcSec1Key(String fileName, PrivateKey key, PublicKey publicKey) throws IOException {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    org.bouncycastle.asn1.sec.ECPrivateKey inner =
        org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
    int orderBits = ((ECPrivateKey) key).getParams().getOrder().bitLength();
    var sec1 =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            orderBits,
            inner.getKey(),
            SubjectPublicKeyInfo.getInstance(publicKey.getEncoded()).getPublicKeyData(),
            info.getPrivateKeyAlgorithm().getParameters());
    return writeSecretPem(fileName, new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
  }

  /** PEM PKCS#8 encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC). */
  Path writeEncryptedPrivateKey(String fileName, PrivateKey key, char[] password)
      throws IOException {
    try {
      var encryptor =
          new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
              .setPRF(PKCS8Generator.PRF_HMACSHA256)
              .setProvider(TestPki.Bouncy.PROVIDER)
              .setPassword(password)
              .build();
      return writeSecretPem(fileName, new JcaPKCS8Generator(key, encryptor));
    } catch (OperatorCreationException e) {
      throw new IOException("Cannot encrypt the key for " + fileName, e);
    }
  }

  /** DER PKCS#8: the format pgjdbc's default {@code sslkey} handling reads. */
  Path writePkcs8Der(String fileName, PrivateKey key) throws IOException {
    return writeSecret(fileName, key.getEncoded());
  }

  Path writePkcs12(
      String fileName, String alias, PrivateKey key, X509Certificate[] chain, char[] password)
      throws IOException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(alias, key, password, chain);
      Path file = createSecretFile(fileName);
      try (OutputStream out = Files.newOutputStream(file)) {
        store.store(out, password);
      }
      return file;
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot write the PKCS#12 store " + fileName, e);
    }
  }

  private Path writeSecretPem(String fileName, Object pemObject) throws IOException {
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
      writer.writeObject(pemObject);
    }
    return writeSecret(fileName, pem.toString().getBytes(StandardCharsets.US_ASCII));
  }

  private Path writeSecret(String fileName, byte[] content) throws IOException {
    Path file = createSecretFile(fileName);
    Files.write(file, content);
    return file;
  }

  /** Created with mode 0600 from the start, so the key is never readable by others, even briefly. */
  private Path createSecretFile(String fileName) throws IOException {
    Path file = directory.resolve(fileName);
    Files.deleteIfExists(file);
    if (Files.getFileAttributeView(directory, PosixFileAttributeView.class) != null) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } else {
      Files.createFile(file);
    }
    return file;
  }
}
