package io.pgtls.tls;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Builds the SSLContexts and SSLEngines of the proxy's two sides. */
public final class TlsContexts {

  /** The ALPN protocol name PostgreSQL registered (PostgreSQL 17, direct SSL negotiation). */
  public static final String ALPN_POSTGRESQL = "postgresql";

  private TlsContexts() {
  }

  /**
   * The context of the proxy's listener, presenting {@code identity}. With {@code clientCa},
   * client certificates are verified against it (the caller requires them per engine);
   * without it, every client certificate is refused.
   */
  public static SSLContext server(TlsMaterial identity, TrustMaterial clientCa) {
    return server(identity, clientCa, null);
  }

  /**
   * As {@link #server(TlsMaterial, TrustMaterial)}, and with {@code revocation} (nullable) a client
   * certificate that verifies against {@code clientCa} must also pass its CRLs.
   *
   * @throws IllegalArgumentException for CRLs without a client CA, or loaded for another one
   */
  public static SSLContext server(TlsMaterial identity, TrustMaterial clientCa, RevocationLists revocation) {
    Objects.requireNonNull(identity, "identity");
    return context(IdentityKeyManagers.of(identity), new TrustManager[] {clientTrust(clientCa, revocation)});
  }

  /**
   * As {@link #server(TlsMaterial, TrustMaterial, RevocationLists)}, for handshakes certain to be
   * TLS 1.3 (the client offers it and the listener allows it) and for every handshake once the
   * JVM's server contexts are stateful ({@link #ticketsAreStateless()} false): a context that
   * issues no session ticket and resumes no session.
   *
   * <p>PostgreSQL clients never resume a TLS session, and PostgreSQL itself turns off its session
   * cache and tickets: so does pgtls, which saves the work of a NewSessionTicket (a key
   * derivation, an encryption and about 250 bytes) on every handshake.
   *
   * <p>JDK quirks: there is no per-context switch for tickets. The JDK's server sends none when
   * the context's session timeout is longer than RFC 8446's 7-day ticket lifetime
   * (NewSessionTicket.MAX_TICKET_LIFETIME): that is the switch used here. But in TLS 1.2 with
   * stateless tickets (jdk.tls.server.enableSessionTicketExtension, true by default) the same
   * context still announces a ticket in its ServerHello and then sends none, and clients that
   * asked for one (OpenSSL does) fail with unexpected_message: hence TLS 1.3 only, unless that
   * property is false, which the launcher sets. TLS 1.2 sessions enter the session-ID cache (one
   * entry here), and {@link io.pgtls.internal.tls.TlsSession} invalidates them once their
   * handshake is done.
   */
  public static SSLContext serverWithoutResumption(TlsMaterial identity, TrustMaterial clientCa,
      RevocationLists revocation) {
    SSLContext context = server(identity, clientCa, revocation);
    context.getServerSessionContext().setSessionTimeout(SESSION_TIMEOUT_WITHOUT_TICKETS);
    context.getServerSessionContext().setSessionCacheSize(1);
    return context;
  }

  /** Longer than the JDK's limit on a ticket's lifetime, so its server sends none. */
  static final int SESSION_TIMEOUT_WITHOUT_TICKETS = 7 * 24 * 3600 + 1;

  /**
   * Whether server contexts made now issue stateless TLS 1.2 tickets, read as the JDK reads it,
   * when each context is made (jdk.tls.server.enableSessionTicketExtension, default true).
   */
  public static boolean ticketsAreStateless() {
    return !"false".equalsIgnoreCase(System.getProperty("jdk.tls.server.enableSessionTicketExtension", "true"));
  }

  /**
   * What judges client certificates on a listener with {@code clientCa} (null: none is trusted)
   * and {@code revocation} (nullable): the trust manager {@link #server} uses, for checking a live
   * session's certificate again after a reload.
   *
   * @throws IllegalArgumentException for CRLs without a client CA, or loaded for another one
   */
  public static X509ExtendedTrustManager clientTrust(TrustMaterial clientCa, RevocationLists revocation) {
    if (clientCa == null) {
      if (revocation != null) {
        throw new IllegalArgumentException("client certificate revocation lists need a client CA");
      }
      return new NoClientCaTrustManager();
    }
    if (revocation == null) {
      return pkix(clientCa);
    }
    if (!revocation.anchors().equals(clientCa.certificates())) {
      throw new IllegalArgumentException("the revocation lists were loaded for other client CA certificates");
    }
    return new RevokingTrustManager(pkix(clientCa), revocation);
  }

  /**
   * What judges the backend's certificate chain against {@code trust}, for every engine: the JDK's
   * PKIX checks (host name included under verify-full), remembered per route for the chains that
   * passed ({@link RememberingTrustManager}).
   */
  public static X509ExtendedTrustManager backendTrust(TrustMaterial trust) {
    return new RememberingTrustManager(pkix(trust));
  }

  /**
   * JDK quirk: an SSLContext uses only the first X509TrustManager of the array it is given; the
   * PKIX TrustManagerFactory makes exactly one, an X509ExtendedTrustManager.
   */
  private static X509ExtendedTrustManager pkix(TrustMaterial trust) {
    for (TrustManager manager : trust.trustManagers()) {
      if (manager instanceof X509TrustManager) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
        break;
      }
    }
    throw new IllegalStateException("the trust manager of " + trust + " is not an X509ExtendedTrustManager");
  }

  /**
   * The context of the proxy's connections to the backend PostgreSQL: the backend's
   * certificate is verified against {@code trust}; {@code clientIdentity} (nullable) is
   * presented when the backend asks for a client certificate.
   */
  public static SSLContext client(TrustMaterial trust, TlsMaterial clientIdentity) {
    Objects.requireNonNull(trust, "trust");
    // A null KeyManager array means "no client certificate", not a default keystore.
    KeyManager[] keys = clientIdentity != null ? IdentityKeyManagers.of(clientIdentity) : null;
    SSLContext context = context(keys, new TrustManager[] {backendTrust(trust)});
    // JDK quirk: a client keeps every session it completes in its context's cache (TLS 1.3:
    // Finished's T13 consumer puts it there whether or not a ticket ever makes it resumable), up to
    // 20,480 sessions for 24 hours, each with the peer's certificate chain. PostgreSQL issues no
    // tickets, so none of them can be resumed: after connection churn the cache is only megabytes
    // of heap. One entry keeps it to one session.
    context.getClientSessionContext().setSessionCacheSize(1);
    return context;
  }

  private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * A server-side engine for one client connection.
   *
   * <p>It announces ALPN {@value #ALPN_POSTGRESQL}. JDK behaviour relied on: a client that
   * offers ALPN without "postgresql" gets a fatal no_application_protocol alert (as from
   * PostgreSQL itself), while a client that offers no ALPN at all (libpq 16 and older,
   * pgjdbc) is accepted and {@link SSLEngine#getApplicationProtocol()} returns "".
   *
   * @param askForClientCertificate send a CertificateRequest. A certificate the client sends is
   *     verified (a bad one fails the handshake); a client that sends none still completes the
   *     handshake, and the caller judges it once its StartupMessage is known, as PostgreSQL
   *     does with {@code clientcert=verify-full}, so the client reads a FATAL instead of an alert
   * @param protocols TLS versions to enable; null or empty means TLSv1.3 and TLSv1.2
   * @throws IllegalArgumentException for protocols below TLSv1.2 or unknown names
   */
  public static SSLEngine serverEngine(SSLContext ctx, boolean askForClientCertificate, List<String> protocols) {
    String[] enabled = TlsProtocols.resolve(protocols);
    SSLEngine engine = ctx.createSSLEngine();
    // JDK quirk: setUseClientMode replaces enabled protocols and cipher suites that equal the
    // context defaults (ours, TLSv1.3 + TLSv1.2, do) with the other mode's defaults, so it
    // must come before setSSLParameters.
    engine.setUseClientMode(false);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(enabled);
    // "Want", never "need": setWantClientAuth also clears need, so an absent certificate never
    // fails the handshake; a present one is still checked by the trust manager.
    parameters.setWantClientAuth(askForClientCertificate);
    parameters.setApplicationProtocols(new String[] {ALPN_POSTGRESQL});
    parameters.setCipherSuites(strongCipherSuites(engine.getSupportedCipherSuites()));
    engine.setSSLParameters(parameters);
    return engine;
  }

  /**
   * The cipher suites pgtls enables by default: every TLS 1.3 suite, and for TLS 1.2 only ECDHE
   * key exchange with an AEAD cipher (AES-GCM, ChaCha20-Poly1305) — forward secrecy and no CBC.
   * The JDK's own defaults still include CBC and plain-RSA suites for TLS 1.2.
   */
  /** Whether {@code suite}, by its JDK (IANA) name, is a TLS 1.3 cipher suite. */
  public static boolean isTls13Suite(String suite) {
    return suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_");
  }

  public static String[] strongCipherSuites(String[] supported) {
    List<String> strong = new ArrayList<>();
    for (String suite : supported) {
      boolean tls13 = isTls13Suite(suite);
      boolean tls12Aead = suite.startsWith("TLS_ECDHE_") && (suite.contains("_GCM_") || suite.contains("CHACHA20_POLY1305"));
      if (tls13 || tls12Aead) {
        strong.add(suite);
      }
    }
    return strong.toArray(new String[0]);
  }

  /**
   * A client-side engine for a connection to {@code serverName}:{@code port}.
   *
   * @param serverName     host name or IP literal (IPv6 with or without brackets)
   * @param verifyHostName check the backend certificate's subjectAltName (dNSName or
   *                       iPAddress; CN only when there is no dNSName) against
   *                       {@code serverName}, like libpq's sslmode=verify-full; without it
   *                       the chain is still verified, like verify-ca
   * @param protocols      TLS versions to enable; null or empty means TLSv1.3 and TLSv1.2
   */
  public static SSLEngine clientEngine(SSLContext ctx, String serverName, int port, boolean verifyHostName,
      List<String> protocols) {
    Objects.requireNonNull(serverName, "serverName");
    String[] enabled = TlsProtocols.resolve(protocols);
    String host = HostNames.normalize(serverName);
    // The peer host given here is what "HTTPS" endpoint identification checks the certificate against.
    SSLEngine engine = ctx.createSSLEngine(host, port);
    engine.setUseClientMode(true); // before setSSLParameters, see serverEngine
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(enabled);
    if (verifyHostName) {
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    // JDK quirk: the JDK derives SNI from the peer host only when the name contains a dot,
    // so "localhost" or a bare container name ("postgres") would get none. Set it
    // explicitly for every name; never for IP literals (RFC 6066).
    HostNames.sniFor(host).ifPresent(sni -> parameters.setServerNames(List.of(sni)));
    parameters.setCipherSuites(strongCipherSuites(engine.getSupportedCipherSuites()));
    engine.setSSLParameters(parameters);
    return engine;
  }

  /** A one-line description for log lines: subject and issuer CN, expiry, fingerprint prefix. */
  public static String describe(X509Certificate certificate) {
    return CertificateDescriptions.describe(certificate);
  }

  /**
   * RFC 5929 tls-server-end-point channel binding data: the certificate's DER hashed with
   * its signature's hash algorithm, MD5 and SHA-1 replaced by SHA-256, as PostgreSQL does.
   *
   * @throws IllegalArgumentException for signature algorithms without a separate hash
   *                                  (Ed25519, Ed448), for which the binding is undefined
   */
  public static byte[] tlsServerEndPointHash(X509Certificate certificate) {
    return TlsServerEndPoint.hash(certificate);
  }
}
