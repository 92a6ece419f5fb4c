package io.pgtls.tls;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads certificates and private keys from PEM files with the JDK alone (no BouncyCastle):
 * the formats that openssl, PostgreSQL's documentation and certificate tools write.
 */
public final class Pem {

  static final String CERTIFICATE = "CERTIFICATE";
  static final String PKCS8_KEY = "PRIVATE KEY";
  static final String RSA_KEY = "RSA PRIVATE KEY";
  static final String EC_KEY = "EC PRIVATE KEY";
  static final String ENCRYPTED_KEY = "ENCRYPTED PRIVATE KEY";
  static final String EC_PARAMETERS = "EC PARAMETERS";

  private static final Set<String> KEY_LABELS = Set.of(PKCS8_KEY, RSA_KEY, EC_KEY, ENCRYPTED_KEY);

  private Pem() {
  }

  /**
   * All certificates in the file, in file order (for a chain: the leaf first). Other blocks
   * and text between blocks are ignored.
   *
   * @throws TlsMaterialException if the file cannot be read, holds no certificate or a
   *                              certificate block is not a valid X.509 certificate
   */
  public static List<X509Certificate> readCertificates(Path file) throws TlsMaterialException {
    String text = MaterialFile.readText(file, "certificates");
    try {
      List<PemBlock> blocks = PemParser.parse(text);
      List<X509Certificate> certificates = new ArrayList<>();
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (PemBlock block : blocks) {
        if (block.label().equals(CERTIFICATE)) {
          certificates.add(certificate(factory, block));
        }
      }
      if (certificates.isEmpty()) {
        throw new MaterialProblem("no PEM certificate block found (expected BEGIN CERTIFICATE)" + found(blocks));
      }
      return List.copyOf(certificates);
    } catch (MaterialProblem e) {
      throw new TlsMaterialException("cannot read certificates from " + MaterialFile.display(file)
          + ": " + e.getMessage(), e.getCause());
    } catch (CertificateException e) {
      throw new IllegalStateException("this Java runtime has no X.509 certificate factory", e);
    }
  }

  /**
   * The single private key in the file: PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519,
   * Ed448), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY},
   * optionally preceded by {@code BEGIN EC PARAMETERS}). Encrypted keys are refused with
   * instructions to decrypt them.
   */
  public static PrivateKey readPrivateKey(Path file) throws TlsMaterialException {
    String text = MaterialFile.readText(file, "private key");
    try {
      return privateKey(PemParser.parse(text), file);
    } catch (MaterialProblem e) {
      throw new TlsMaterialException("cannot read private key from " + MaterialFile.display(file)
          + ": " + e.getMessage(), e.getCause());
    }
  }

  private static PrivateKey privateKey(List<PemBlock> blocks, Path file) throws MaterialProblem {
    List<PemBlock> keys = blocks.stream().filter(b -> KEY_LABELS.contains(b.label())).collect(Collectors.toList());
    if (keys.isEmpty()) {
      throw new MaterialProblem("no PEM private key block found (expected BEGIN PRIVATE KEY, "
          + "BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)" + found(blocks));
    }
    if (keys.size() > 1) {
      throw new MaterialProblem("the file holds " + keys.size() + " private keys ("
          + keys.stream().map(PemBlock::describe).collect(Collectors.joining(", "))
          + "); expected exactly one");
    }
    PemBlock key = keys.get(0);
    if (key.label().equals(ENCRYPTED_KEY) || key.hasEncryptedHeader()) {
      String path = MaterialFile.display(file);
      throw new MaterialProblem("the private key is encrypted with a passphrase, and encrypted keys are not "
          + "supported; write a decrypted copy (readable only by the proxy's user) with "
          + "'openssl pkcs8 -topk8 -nocrypt -in " + path + " -out " + path + ".pk8.pem' and use that file");
    }
    switch (key.label()) {
      case PKCS8_KEY:
        return Pkcs8Keys.decode(key.der());
      case RSA_KEY:
        return Pkcs8Keys.decode(TraditionalKeys.rsaToPkcs8(key.der()));
      case EC_KEY:
        return Pkcs8Keys.decode(TraditionalKeys.ecToPkcs8(key.der(), curveOfParametersBlock(blocks)));
      default:
        throw new AssertionError(key.label());
    }
  }

  /** openssl ecparam -genkey writes the curve in its own block before the key. */
  private static byte[] curveOfParametersBlock(List<PemBlock> blocks) throws MaterialProblem {
    for (PemBlock block : blocks) {
      if (block.label().equals(EC_PARAMETERS)) {
        return TraditionalKeys.curveOfParametersBlock(block.der());
      }
    }
    return null;
  }

  private static X509Certificate certificate(CertificateFactory factory, PemBlock block) throws MaterialProblem {
    try {
      return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der()));
    } catch (CertificateException e) {
      throw new MaterialProblem("the " + block.describe() + " block is not a valid X.509 certificate: "
          + e.getMessage(), e);
    }
  }

  /** "; found BEGIN CERTIFICATE (line 1)" or "; the file contains no PEM blocks". */
  static String found(List<PemBlock> blocks) {
    if (blocks.isEmpty()) {
      return "; the file contains no PEM blocks";
    }
    return "; found " + blocks.stream().map(PemBlock::describe).collect(Collectors.joining(", "));
  }
}
