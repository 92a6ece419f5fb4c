package io.pgtls.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The listener's trust manager when a route has client CRLs: a client's chain must first pass the
 * PKIX trust manager of the client CA, then the {@link RevocationLists}. It runs in the engine's
 * delegated tasks, off the selector threads.
 *
 * <p>JDK quirk: an SSLContext wraps a trust manager that is not an X509ExtendedTrustManager in an
 * adapter that adds its own checks; extending X509ExtendedTrustManager keeps the delegate's
 * engine-aware checks (algorithm constraints) exactly as they are without CRLs.
 */
final class RevokingTrustManager extends X509ExtendedTrustManager {

  private static final String SERVER_SIDE_ONLY = "this trust manager only checks client certificates";

  private final X509ExtendedTrustManager pkix;
  private final RevocationLists revocation;

  RevokingTrustManager(X509ExtendedTrustManager pkix, RevocationLists revocation) {
    this.pkix = pkix;
    this.revocation = revocation;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pkix.checkClientTrusted(chain, authType);
    revocation.check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    pkix.checkClientTrusted(chain, authType, socket);
    revocation.check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    pkix.checkClientTrusted(chain, authType, engine);
    revocation.check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException(SERVER_SIDE_ONLY);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException(SERVER_SIDE_ONLY);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException(SERVER_SIDE_ONLY);
  }

  /** The client CA certificates, which the server's CertificateRequest names. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }

  @Override
  public String toString() {
    return "RevokingTrustManager[" + revocation + "]";
  }
}
