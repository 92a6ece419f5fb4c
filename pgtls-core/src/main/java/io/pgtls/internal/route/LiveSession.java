package io.pgtls.internal.route;

import java.net.InetAddress;
import java.security.cert.X509Certificate;

/**
 * A relayed session as a reconfiguration sees it: what it was admitted with, and what can be done
 * to it from another thread (each call is carried out on the session's own loop).
 */
public interface LiveSession {
  /** What the session was admitted with, fixed once it relays. */
  record Facts(InetAddress clientAddress, X509Certificate[] clientCertificates, String user) {
    public Facts {
      clientCertificates = clientCertificates.clone();
    }

    @Override
    public X509Certificate[] clientCertificates() {
      return clientCertificates.clone();
    }
  }

  Facts facts();

  /**
   * Ends the session at its next idle point (ReadyForQuery 'I'), or at {@code deadlineNanos} at the
   * latest, with FATAL 57P01 whose DETAIL is {@code why}.
   */
  void drain(String why, long deadlineNanos);

  /** Ends the session now, with FATAL 57P01 whose DETAIL is {@code why}. */
  void end(String why);
}
