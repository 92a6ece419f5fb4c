package io.pgtls.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The CA certificates a peer's certificate is verified against. */
public final class TrustMaterial {

  private final TrustManager[] trustManagers;
  private final List<X509Certificate> certificates;
  private final String source;

  private TrustMaterial(TrustManager[] trustManagers, List<X509Certificate> certificates, String source) {
    this.trustManagers = trustManagers;
    this.certificates = List.copyOf(certificates);
    this.source = source;
  }

  /** Trusts exactly the CA certificates in {@code caFile} (one or more PEM certificates). */
  public static TrustMaterial load(Path caFile) throws TlsMaterialException {
    List<X509Certificate> certificates = Pem.readCertificates(caFile);
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      return new TrustMaterial(factory.getTrustManagers(), certificates, MaterialFile.display(caFile));
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsMaterialException("cannot use CA certificates from " + MaterialFile.display(caFile)
          + ": " + e.getMessage(), e);
    }
  }

  /**
   * The Java runtime's default trust store ({@code javax.net.ssl.trustStore} or the JDK's
   * {@code cacerts}), for backends with publicly trusted certificates.
   */
  public static TrustMaterial jdkDefault() {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init((KeyStore) null);
      TrustManager[] managers = factory.getTrustManagers();
      List<X509Certificate> issuers = Arrays.stream(managers)
          .filter(X509TrustManager.class::isInstance)
          .flatMap(m -> Arrays.stream(((X509TrustManager) m).getAcceptedIssuers()))
          .toList();
      return new TrustMaterial(managers, issuers, "the Java runtime's default trust store");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot load the Java runtime's default trust store: " + e.getMessage(), e);
    }
  }

  public TrustManager[] trustManagers() {
    return trustManagers.clone();
  }

  /** The trusted CA certificates. */
  public List<X509Certificate> certificates() {
    return certificates;
  }

  /** The CA file's path, or a description of the JDK default. */
  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "TrustMaterial[" + certificates.size() + " CA certificates from " + source + "]";
  }
}
