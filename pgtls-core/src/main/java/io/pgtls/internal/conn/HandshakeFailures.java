package io.pgtls.internal.conn;

import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns the JDK's SSLException texts into words an operator can act on. The JDK's messages are
 * not an API, so each mapping keeps the original text in parentheses.
 */
final class HandshakeFailures {
  private HandshakeFailures() {}

  /** A short label for metrics: why a handshake with a client failed. */
  static String clientCode(SSLException e) {
    String l = text(e).toLowerCase(Locale.ROOT);
    if (l.contains("empty client certificate chain") || l.contains("null cert chain")
        || l.contains("certificate_required")) {
      return "no_client_certificate";
    } else if (l.contains("pkix path") || l.contains("unable to find valid certification path")
        || l.contains("path does not chain")) {
      return "untrusted_client_certificate";
    } else if (l.contains("certificate expired") || l.contains("notafter")) {
      return "expired_client_certificate";
    } else if (l.contains("no appropriate protocol") || l.contains("protocol_version")
        || l.contains("client requested protocol")) {
      return "protocol_version";
    } else if (l.contains("application layer protocol") || l.contains("no_application_protocol")) {
      return "alpn";
    } else if (l.contains("received fatal alert") || l.contains("insufficient buffer remaining for aead")) {
      return "client_alert";
    } else if (l.contains("unsupported or unrecognized ssl message") || l.contains("plaintext connection")) {
      return "not_tls";
    } else if (l.contains("renegotiation")) {
      return "renegotiation";
    }
    return "other";
  }

  /** Why a handshake with a client failed. */
  static String client(SSLException e) {
    String m = text(e);
    String l = m.toLowerCase(Locale.ROOT);
    String why;
    if (l.contains("empty client certificate chain") || l.contains("null cert chain")
        || l.contains("certificate_required")) {
      // A JDK client (pgjdbc) holds back a certificate that is not issued by one of the CAs the
      // server's CertificateRequest names, so "no certificate" also covers "one from another CA".
      why = "the client presented no certificate from this route's client_ca, and this route requires one (mTLS)";
    } else if (l.contains("pkix path") || l.contains("unable to find valid certification path")
        || l.contains("path does not chain")) {
      why = "the client's certificate is not signed by this route's client_ca";
    } else if (l.contains("certificate expired") || l.contains("notafter")) {
      why = "the client's certificate has expired";
    } else if (l.contains("no appropriate protocol") || l.contains("protocol_version")
        || l.contains("client requested protocol")) {
      why = "the client offered no TLS version this route allows (TLSv1.2 or newer)";
    } else if (l.contains("application layer protocol") || l.contains("no_application_protocol")) {
      why = "the client offered ALPN protocols but not 'postgresql'";
    } else if (l.contains("received fatal alert: certificate_unknown") || l.contains("received fatal alert: bad_certificate")
        || l.contains("received fatal alert: unknown_ca")) {
      why = "the client rejected pgtls's certificate: check that the client trusts the CA that signed this route's "
          + "server_cert and connects with a host name the certificate names";
    } else if (l.contains("insufficient buffer remaining for aead")) {
      // JDK quirk: when OpenSSL (libpq) rejects pgtls's certificate under TLS 1.3, its alert arrives
      // encrypted with keys the JDK server has not switched to yet, and the JDK reports a failed
      // decryption rather than the alert.
      why = "the client ended the handshake, most likely rejecting pgtls's certificate: check that it trusts the CA "
          + "that signed this route's server_cert and connects with a host name the certificate names";
    } else if (l.contains("unsupported or unrecognized ssl message") || l.contains("plaintext connection")) {
      why = "the client sent bytes that are not TLS after its SSLRequest";
    } else {
      why = "TLS error";
    }
    return why + " (" + m + ")";
  }

  /** Why a handshake with the backend failed. */
  static String backend(SSLException e, String serverName) {
    String m = text(e);
    String l = m.toLowerCase(Locale.ROOT);
    String why;
    if (l.contains("no subject alternative") || l.contains("no name matching")) {
      why = "the backend's certificate does not match the host name '" + serverName + "'";
    } else if (l.contains("pkix path") || l.contains("unable to find valid certification path")) {
      why = "the backend's certificate is not signed by a CA this route trusts (backend root_ca)";
    } else if (l.contains("certificate expired") || l.contains("notafter")) {
      why = "the backend's certificate has expired";
    } else if (l.contains("received fatal alert: certificate_required") || l.contains("received fatal alert: bad_certificate")
        || l.contains("received fatal alert: unknown_ca") || l.contains("received fatal alert: certificate_unknown")) {
      why = "the backend rejected pgtls's client certificate (backend client_cert)";
    } else if (l.contains("no appropriate protocol") || l.contains("protocol_version")) {
      why = "the backend offers no TLS version pgtls allows (TLSv1.2 or newer)";
    } else {
      why = "TLS error";
    }
    return why + " (" + m + ")";
  }

  private static String text(Throwable e) {
    Throwable t = e;
    String m = e.getMessage();
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      if (t.getMessage() != null) {
        m = m == null ? t.getMessage() : m;
      }
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
