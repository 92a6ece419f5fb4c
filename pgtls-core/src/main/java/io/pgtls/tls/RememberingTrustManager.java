package io.pgtls.tls;

import java.net.Socket;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The backend leg's trust manager: the JDK's PKIX checks (chain, algorithm constraints, host name
 * under verify-full), remembered for the chains that passed them. A backend presents the same
 * chain on every connection, and building and verifying its path again is a good part of a
 * connection's handshake CPU; a chain byte-for-byte equal to one that passed, for the same peer
 * host, endpoint check and key type, only has its certificates' validity dates checked again.
 *
 * <p>It lives as long as the route's TLS material: a reload (new root CA, new backend) builds a new
 * one and starts empty. A chain that fails is never remembered. At most {@value #REMEMBERED}
 * chains are kept (a backend renewing its certificate, several backends behind one name).
 */
final class RememberingTrustManager extends X509ExtendedTrustManager {

  static final int REMEMBERED = 16;
  private static final String CLIENT_SIDE_ONLY = "this trust manager only checks backend certificates";

  private final X509ExtendedTrustManager pkix;
  private final ConcurrentHashMap<Passed, Boolean> passed = new ConcurrentHashMap<>();

  RememberingTrustManager(X509ExtendedTrustManager pkix) {
    this.pkix = pkix;
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    Passed key = engine == null ? null : Passed.of(chain, authType, engine.getPeerHost(),
        engine.getSSLParameters().getEndpointIdentificationAlgorithm());
    if (key != null && passed.containsKey(key)) {
      Date now = new Date();
      for (X509Certificate c : chain) {
        c.checkValidity(now);
      }
      return;
    }
    pkix.checkServerTrusted(chain, authType, engine);
    if (key != null) {
      if (passed.size() >= REMEMBERED) {
        passed.clear();
      }
      passed.put(key, Boolean.TRUE);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    pkix.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException(CLIENT_SIDE_ONLY);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException(CLIENT_SIDE_ONLY);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException(CLIENT_SIDE_ONLY);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }

  /** Chains remembered now; for tests. */
  int remembered() {
    return passed.size();
  }

  @Override
  public String toString() {
    return "RememberingTrustManager[" + passed.size() + " chains]";
  }

  /** What a check's outcome depends on: the chain's bytes, the key type, the host and whether it is checked. */
  private static final class Passed {
    private final byte[][] chain;
    private final String authType;
    private final String host;
    private final String endpointCheck;
    private final int hash;

    private Passed(byte[][] chain, String authType, String host, String endpointCheck) {
      this.chain = chain;
      this.authType = authType;
      this.host = host;
      this.endpointCheck = endpointCheck;
      this.hash = Arrays.deepHashCode(chain) * 31 + Objects.hash(authType, host, endpointCheck);
    }

    static Passed of(X509Certificate[] chain, String authType, String host, String endpointCheck) {
      if (chain == null || chain.length == 0) {
        return null;
      }
      byte[][] encoded = new byte[chain.length][];
      try {
        for (int i = 0; i < chain.length; i++) {
          encoded[i] = chain[i].getEncoded();
        }
      } catch (CertificateEncodingException e) {
        return null; // not remembered; the full check decides
      }
      return new Passed(encoded, authType, host, endpointCheck);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Passed p && hash == p.hash && Arrays.deepEquals(chain, p.chain)
          && Objects.equals(authType, p.authType) && Objects.equals(host, p.host)
          && Objects.equals(endpointCheck, p.endpointCheck);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
