package io.pgtls.internal.conn;

import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns the TLS engine's SSLException texts (the JDK's, or BoringSSL's reason codes through
 * netty-tcnative) into words an operator can act on. Neither is an API, so each mapping keeps the
 * original text in parentheses.
 */
final class HandshakeFailures {
  private HandshakeFailures() {}

  /**
   * Why a handshake with a client failed: one entry per kind, with its metric label and its words
   * for the log, matched in this order against the JDK's message (lower case).
   */
  private enum ClientFailure {
    // The listener only asks for a client certificate (want, not need), so the JDK never fails a
    // handshake for a missing one; kept for the alerts of other TLS stacks. A JDK client (pgjdbc)
    // holds back a certificate that is not issued by one of the CAs the server's CertificateRequest
    // names, so "no certificate" also covers "one from another CA".
    NO_CLIENT_CERTIFICATE("no_client_certificate",
        "the client presented no certificate from this route's client_ca, and this route requires one (mTLS)",
        "empty client certificate chain", "null cert chain", "certificate_required",
        "peer_did_not_return_a_certificate"),
    // The words of io.pgtls.tls.RevocationLists, which the JDK passes on as the exception's message.
    REVOKED_CLIENT_CERTIFICATE("revoked_client_certificate", "the client's certificate is revoked",
        "is revoked by the crl of"),
    CLIENT_CRL_UNUSABLE("client_crl_unusable",
        "the client's certificate cannot be checked against this route's client_crl",
        "no crl for issuer", "the crl of "),
    UNTRUSTED_CLIENT_CERTIFICATE("untrusted_client_certificate",
        "the client's certificate is not signed by this route's client_ca",
        "pkix path", "unable to find valid certification path", "path does not chain"),
    EXPIRED_CLIENT_CERTIFICATE("expired_client_certificate", "the client's certificate has expired",
        "certificate expired", "notafter"),
    PROTOCOL_VERSION("protocol_version", "the client offered no TLS version this route allows (TLSv1.2 or newer)",
        "no appropriate protocol", "protocol_version", "client requested protocol", "unsupported_protocol"),
    ALPN("alpn", "the client offered ALPN protocols but not 'postgresql'",
        "application layer protocol", "no_application_protocol"),
    REJECTED_OUR_CERTIFICATE("client_alert", "the client rejected pgtls's certificate: check that the client trusts "
        + "the CA that signed this route's server_cert and connects with a host name the certificate names",
        "received fatal alert: certificate_unknown", "received fatal alert: bad_certificate",
        "received fatal alert: unknown_ca",
        // BoringSSL's (netty-tcnative) names for the same alerts
        "alert_certificate_unknown", "alert_bad_certificate", "alert_unknown_ca"),
    // JDK quirk: when OpenSSL (libpq) rejects pgtls's certificate under TLS 1.3, its alert arrives
    // encrypted with keys the JDK server has not switched to yet, and the JDK reports a failed
    // decryption rather than the alert.
    ENDED_BY_CLIENT("client_alert", "the client ended the handshake, most likely rejecting pgtls's certificate: "
        + "check that it trusts the CA that signed this route's server_cert and connects with a host name the "
        + "certificate names",
        "insufficient buffer remaining for aead"),
    NOT_TLS("not_tls", "the client sent bytes that are not TLS after its SSLRequest",
        "unsupported or unrecognized ssl message", "plaintext connection",
        // BoringSSL's (netty-tcnative) words for bytes that are no TLS record
        "wrong_version_number", "bad_packet_length", "http_request", "unexpected_record"),
    OTHER_ALERT("client_alert", "TLS error", "received fatal alert", "sslv3_alert_", "tlsv1_alert_", "tlsv13_alert_"),
    RENEGOTIATION("renegotiation", "TLS error", "renegotiation"),
    OTHER("other", "TLS error");

    final String code;
    final String why;
    private final String[] markers;

    ClientFailure(String code, String why, String... markers) {
      this.code = code;
      this.why = why;
      this.markers = markers;
    }

    static ClientFailure of(String lowerCaseMessage) {
      for (ClientFailure f : values()) {
        for (String marker : f.markers) {
          if (lowerCaseMessage.contains(marker)) {
            return f;
          }
        }
      }
      return OTHER;
    }
  }

  /** The metric label of a client refused for offering ALPN without "postgresql". */
  static final String ALPN_CODE = ClientFailure.ALPN.code;

  /** Why a client that offered {@code offered} (ALPN, without "postgresql") was refused, in words. */
  static String alpnWithoutPostgresql(java.util.List<String> offered) {
    return ClientFailure.ALPN.why + " (offered: " + String.join(", ", offered) + ")";
  }

  /** A short label for metrics: why a handshake with a client failed. */
  static String clientCode(SSLException e) {
    return ClientFailure.of(text(e).toLowerCase(Locale.ROOT)).code;
  }

  /** Why a handshake with a client failed, in words, with the JDK's own text after them. */
  static String client(SSLException e) {
    String m = text(e);
    return ClientFailure.of(m.toLowerCase(Locale.ROOT)).why + " (" + m + ")";
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
        || l.contains("received fatal alert: unknown_ca") || l.contains("received fatal alert: certificate_unknown")
        // BoringSSL's (netty-tcnative) names for the same alerts
        || l.contains("alert_certificate_required") || l.contains("alert_bad_certificate")
        || l.contains("alert_unknown_ca") || l.contains("alert_certificate_unknown")) {
      why = "the backend rejected pgtls's client certificate (backend client_cert)";
    } else if (l.contains("no appropriate protocol") || l.contains("protocol_version")
        || l.contains("unsupported_protocol")) {
      why = "the backend offers no TLS version pgtls allows (TLSv1.2 or newer)";
    } else {
      why = "TLS error";
    }
    return why + " (" + m + ")";
  }

  /**
   * The exception's message followed by each cause's that it does not already contain. The JDK's
   * engine puts a trust manager's words into its own message; netty-tcnative's says only "General
   * OpenSslEngine problem" and keeps the trust manager's CertificateException as the cause.
   */
  private static String text(Throwable e) {
    StringBuilder m = new StringBuilder();
    Throwable t = e;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause() == t ? null : t.getCause()) {
      String own = t.getMessage();
      if (own != null && !own.isBlank() && m.indexOf(own) < 0) {
        m.append(m.length() == 0 ? "" : ": ").append(own);
      }
    }
    return m.length() == 0 ? e.getClass().getSimpleName() : m.toString();
  }
}
