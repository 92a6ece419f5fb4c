package io.pgtls.tls;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A certificate chain and the private key of its leaf, checked to belong together. */
public final class TlsMaterial {

  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;

  private TlsMaterial(List<X509Certificate> chain, PrivateKey privateKey) {
    this.chain = List.copyOf(chain);
    this.privateKey = privateKey;
  }

  /**
   * Loads {@code certChain} (the leaf certificate first, then intermediate CAs) and
   * {@code key}, and checks that the key belongs to the leaf.
   */
  public static TlsMaterial load(Path certChain, Path key) throws TlsMaterialException {
    List<X509Certificate> chain = Pem.readCertificates(certChain);
    try {
      CertificateChains.checkOrder(chain);
    } catch (MaterialProblem e) {
      throw new TlsMaterialException("cannot use certificate chain " + MaterialFile.display(certChain)
          + ": " + e.getMessage());
    }
    PrivateKey privateKey = Pem.readPrivateKey(key);
    boolean matches;
    try {
      matches = KeyPairCheck.matches(privateKey, chain.get(0).getPublicKey());
    } catch (MaterialProblem e) {
      throw new TlsMaterialException("cannot use private key " + MaterialFile.display(key) + ": "
          + e.getMessage(), e.getCause());
    }
    if (!matches) {
      throw new TlsMaterialException("certificate " + MaterialFile.display(certChain) + " and private key "
          + MaterialFile.display(key) + " do not match (the key must belong to the first certificate "
          + "in the certificate file)");
    }
    TlsMaterial material = new TlsMaterial(chain, privateKey);
    warnIfNotValidNow(material, certChain);
    return material;
  }

  private static void warnIfNotValidNow(TlsMaterial material, Path certChain) {
    Instant now = Instant.now();
    X509Certificate leaf = material.leaf();
    if (leaf.getNotAfter().toInstant().isBefore(now)) {
      LOG.warn("certificate {} has expired: {}", MaterialFile.display(certChain), TlsContexts.describe(leaf));
    } else if (leaf.getNotBefore().toInstant().isAfter(now)) {
      LOG.warn("certificate {} is not valid yet (check the clock): {}", MaterialFile.display(certChain),
          TlsContexts.describe(leaf));
    } else {
      LOG.debug("loaded certificate {}: {}", MaterialFile.display(certChain), TlsContexts.describe(leaf));
    }
  }

  /** The chain, leaf first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The certificate the private key belongs to. */
  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** When the leaf certificate expires. */
  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** Never shows key material. */
  @Override
  public String toString() {
    return "TlsMaterial[" + TlsContexts.describe(leaf()) + ", chain of " + chain.size() + ", "
        + privateKey.getAlgorithm() + " key]";
  }
}
