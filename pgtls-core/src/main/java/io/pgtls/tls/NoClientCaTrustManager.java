package io.pgtls.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server's trust manager when no client CA is configured: every client certificate is
 * refused.
 *
 * <p>JDK quirk: {@code SSLContext.init(keyManagers, null, random)} does not mean "trust
 * nothing" but "use the JDK's default trust store", so a server asked to require client
 * certificates without a client CA would accept any client certificate from a public CA.
 */
final class NoClientCaTrustManager extends X509ExtendedTrustManager {

  private static final String REFUSAL =
      "client certificate refused: no client CA certificate file is configured for this listener";

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException(REFUSAL);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException(REFUSAL);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException(REFUSAL);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("this trust manager only serves the server side");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("this trust manager only serves the server side");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("this trust manager only serves the server side");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
