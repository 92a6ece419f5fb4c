package io.pgtls.internal.route;

import io.pgtls.BackendTls;
import io.pgtls.ClientCertificates;
import io.pgtls.Listener;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsException;
import io.pgtls.Route;
import io.pgtls.tls.RevocationLists;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TlsMaterial;
import io.pgtls.tls.TlsMaterialException;
import io.pgtls.tls.TrustMaterial;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * All TLS material of one route and the listener it is reached through, loaded from its files into SSLContexts: immutable, so a reload
 * builds a new one and swaps it in while live connections keep the engines they were made with.
 */
final class RouteTls {
  final TlsMaterial listenerIdentity;
  /** For handshakes certain to be TLS 1.3: no tickets, no resumption (see TlsContexts). */
  final SSLContext listenerContext;
  /**
   * For the others: the same as {@link #listenerContext} where that is safe in TLS 1.2, else a
   * context with the JDK's ticket defaults.
   */
  final SSLContext listenerContextTls12;
  /** Null for a plaintext backend leg. */
  final SSLContext backendContext;
  final Map<String, Instant> certificateNotAfter;
  /**
   * Per client_crl file (its path as configured), the earliest nextUpdate of its CRLs:
   * {@link Instant#MAX} when they name none. Empty without client CRLs.
   */
  final Map<String, Instant> revocationListNextUpdate;
  /** What judges client certificates, the listener context's own: for checking live sessions again. */
  final X509ExtendedTrustManager clientTrust;

  private RouteTls(TlsMaterial listenerIdentity, SSLContext listenerContext, SSLContext listenerContextTls12,
      SSLContext backendContext,
      Map<String, Instant> certificateNotAfter, Map<String, Instant> revocationListNextUpdate,
      X509ExtendedTrustManager clientTrust) {
    this.clientTrust = clientTrust;
    this.listenerIdentity = listenerIdentity;
    this.listenerContext = listenerContext;
    this.listenerContextTls12 = listenerContextTls12;
    this.backendContext = backendContext;
    this.certificateNotAfter = Map.copyOf(certificateNotAfter);
    this.revocationListNextUpdate = Map.copyOf(revocationListNextUpdate);
  }

  /** Reads every file of {@code route} and its listener; the message of any failure names the route and setting. */
  static RouteTls load(Listener listener, Route route) {
    try {
      return loadOrThrow(route.listenerTls() != null ? route.listenerTls() : listener.tls(), route);
    } catch (NoSuchAlgorithmException e) {
      throw new PgTlsException("route '" + route.name() + "': no default TLS context in this Java runtime", e);
    }
  }

  private static RouteTls loadOrThrow(ListenerTls lt, Route route) throws NoSuchAlgorithmException {
    String name = route.name();
    Map<String, Instant> notAfter = new LinkedHashMap<>();
    for (String p : lt.protocols()) {
      if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
        throw PgTlsException.ofSetting(name, "listener.tls_versions",
            "listener TLS version '" + p + "' is not allowed (use TLSv1.2 or TLSv1.3)");
      }
    }
    if (!lt.cipherSuites().isEmpty()) {
      Set<String> supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
      for (String suite : lt.cipherSuites()) {
        if (!supported.contains(suite)) {
          throw PgTlsException.ofSetting(name, "listener.cipher_suites",
              "listener cipher suite '" + suite + "' is not supported by this Java runtime");
        }
      }
    }
    KeyFilePermissions.check(route.name(), "listener server_key", lt.privateKey());
    TlsMaterial identity;
    try {
      identity = TlsMaterial.load(lt.certificateChain(), lt.privateKey());
    } catch (TlsMaterialException e) {
      throw PgTlsException.ofSetting(name, "listener.server_cert", "listener server_cert/server_key: " + e.getMessage(), e);
    }
    requireCurrent(name, "listener.server_cert", "listener server_cert " + lt.certificateChain(), identity.leaf());
    notAfter.put("listener", identity.notAfter());
    TrustMaterial clientCa = null;
    if (lt.clientCa().isPresent()) {
      try {
        clientCa = TrustMaterial.load(lt.clientCa().get());
      } catch (TlsMaterialException e) {
        throw PgTlsException.ofSetting(name, "listener.client_ca", "listener client_ca: " + e.getMessage(), e);
      }
      notAfter.put("client_ca", earliest(clientCa.certificates()));
    }
    RevocationLists revocation = null;
    Map<String, Instant> crlNextUpdate = new LinkedHashMap<>();
    Optional<ClientCertificates> clientCertificates = lt.clientCertificates();
    if (clientCa != null && clientCertificates.isPresent() && !clientCertificates.get().revocationLists().isEmpty()) {
      ClientCertificates policy = clientCertificates.get();
      try {
        revocation = RevocationLists.load(policy.revocationLists(), clientCa, policy.allowExpiredRevocationLists()
            ? RevocationLists.WhenExpired.USE_AND_WARN : RevocationLists.WhenExpired.FAIL_CLOSED);
      } catch (TlsMaterialException e) {
        throw PgTlsException.ofSetting(name, "listener.client_crl", "listener client_crl: " + e.getMessage(), e);
      }
      revocation.nextUpdates().forEach((file, nextUpdate) -> crlNextUpdate.put(file.toString(), nextUpdate));
    }
    SSLContext listener;
    SSLContext listenerTls12;
    X509ExtendedTrustManager clientTrust;
    try {
      clientTrust = TlsContexts.clientTrust(clientCa, revocation);
      listener = TlsContexts.serverWithoutResumption(identity, clientCa, revocation);
      listenerTls12 = TlsContexts.ticketsAreStateless() ? TlsContexts.server(identity, clientCa, revocation) : listener;
    } catch (RuntimeException e) {
      throw PgTlsException.ofSetting(name, "listener.server_cert",
          "cannot build the listener's TLS context: " + e.getMessage(), e);
    }

    SSLContext backend = null;
    BackendTls bt = route.backendTls();
    if (bt.enabled()) {
      if (bt.verification() == BackendTls.Verification.VERIFY_CA && bt.rootCa().isEmpty()) {
        // Like libpq refusing weak modes with sslrootcert=system: without a host name check and a
        // CA of the operator's own, any publicly trusted certificate for any name would pass.
        throw PgTlsException.ofSetting(name, "backend.verify", "backend verify-ca needs root_ca: against the JDK's public trust store "
            + "any certificate for any host name would pass; set root_ca or use verify-full");
      }
      TrustMaterial trust;
      if (bt.rootCa().isPresent()) {
        try {
          trust = TrustMaterial.load(bt.rootCa().get());
        } catch (TlsMaterialException e) {
          throw PgTlsException.ofSetting(name, "backend.root_ca", "backend root_ca: " + e.getMessage(), e);
        }
        notAfter.put("backend_root_ca", earliest(trust.certificates()));
      } else {
        trust = TrustMaterial.jdkDefault();
      }
      TlsMaterial clientIdentity = null;
      if (bt.clientCertificate().isPresent()) {
        KeyFilePermissions.check(route.name(), "backend client_key", bt.clientKey().get());
        try {
          clientIdentity = TlsMaterial.load(bt.clientCertificate().get(), bt.clientKey().get());
        } catch (TlsMaterialException e) {
          throw PgTlsException.ofSetting(name, "backend.client_cert", "backend client_cert/client_key: " + e.getMessage(), e);
        }
        requireCurrent(name, "backend.client_cert", "backend client_cert " + bt.clientCertificate().get(),
            clientIdentity.leaf());
        notAfter.put("backend_client", clientIdentity.notAfter());
      }
      try {
        backend = TlsContexts.client(trust, clientIdentity);
      } catch (RuntimeException e) {
        throw PgTlsException.ofSetting(name, "backend.root_ca", "cannot build the backend TLS context: " + e.getMessage(), e);
      }
    }
    return new RouteTls(identity, listener, listenerTls12, backend, notAfter, crlNextUpdate, clientTrust);
  }

  /**
   * An expired or not yet valid certificate of pgtls's own is a configuration error: every client
   * (or the backend) would refuse it, and the operator should learn it before binding.
   */
  private static void requireCurrent(String route, String setting, String what, X509Certificate certificate) {
    Instant now = Instant.now();
    if (certificate.getNotAfter().toInstant().isBefore(now)) {
      throw PgTlsException.ofSetting(route, setting,
          what + ": the certificate expired on " + certificate.getNotAfter().toInstant());
    }
    if (certificate.getNotBefore().toInstant().isAfter(now)) {
      throw PgTlsException.ofSetting(route, setting,
          what + ": the certificate is not valid before " + certificate.getNotBefore().toInstant());
    }
  }

  private static Instant earliest(List<X509Certificate> certificates) {
    return certificates.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElse(Instant.MAX);
  }
}
