package io.pgtls.internal.tls;

import io.pgtls.tls.TlsContexts;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** What the connection needs to know about the certificates of its two TLS sessions. */
public final class Certificates {
  private Certificates() {}

  /**
   * Whether the certificate pgtls showed the client ({@code listenerSession}'s local certificate)
   * has the same RFC 5929 tls-server-end-point binding as the backend's ({@code backendSession}'s
   * peer certificate). Only then can SCRAM-SHA-256-PLUS succeed through pgtls.
   */
  public static boolean sameEndPoint(SSLSession listenerSession, SSLSession backendSession) {
    Certificate[] local = listenerSession.getLocalCertificates();
    Certificate[] peer;
    try {
      peer = backendSession.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
    if (local == null || local.length == 0 || peer.length == 0) {
      return false;
    }
    return sameEndPoint((X509Certificate) local[0], (X509Certificate) peer[0]);
  }

  public static boolean sameEndPoint(X509Certificate a, X509Certificate b) {
    try {
      return Arrays.equals(TlsContexts.tlsServerEndPointHash(a), TlsContexts.tlsServerEndPointHash(b));
    } catch (IllegalArgumentException noBindingHash) {
      // Ed25519/Ed448 certificates define no binding hash; identical DER still means identical.
      try {
        return Arrays.equals(a.getEncoded(), b.getEncoded());
      } catch (CertificateEncodingException e) {
        return false;
      }
    }
  }

  /** The subject DN of the peer's first certificate in RFC 2253 form, or "" when there is none. */
  public static String peerSubject(SSLSession session) {
    X509Certificate leaf = peerLeaf(session);
    return leaf == null ? "" : leaf.getSubjectX500Principal().getName();
  }

  /** The peer's certificate chain, leaf first; empty when it sent none. */
  public static X509Certificate[] peerChain(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      X509Certificate[] out = new X509Certificate[chain.length];
      for (int i = 0; i < chain.length; i++) {
        if (!(chain[i] instanceof X509Certificate)) {
          return new X509Certificate[0];
        }
        out[i] = (X509Certificate) chain[i];
      }
      return out;
    } catch (SSLPeerUnverifiedException e) {
      return new X509Certificate[0];
    }
  }

  /** The peer's first (leaf) certificate, or null when it sent none. */
  public static X509Certificate peerLeaf(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length == 0 || !(chain[0] instanceof X509Certificate) ? null : (X509Certificate) chain[0];
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

}
