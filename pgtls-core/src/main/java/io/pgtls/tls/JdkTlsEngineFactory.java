package io.pgtls.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The JDK's own TLS (SunJSSE, or whichever provider serves {@code SSLContext.getInstance("TLS")}):
 * pgtls's default engine. Its engines live on the heap only, so releasing them is a no-op.
 */
public final class JdkTlsEngineFactory implements TlsEngineFactory {
  public static final String NAME = "jdk";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String describe() {
    String provider;
    try {
      provider = SSLContext.getDefault().getProvider().getName();
    } catch (java.security.NoSuchAlgorithmException e) {
      provider = "no default SSLContext";
    }
    return "Java " + Runtime.version() + " " + provider;
  }

  /**
   * Two contexts: one that issues no session ticket and resumes nothing, for handshakes certain to
   * be TLS 1.3 and, once the JVM's tickets are stateful, for all; and, with the JDK's default
   * stateless tickets, one with the JDK's defaults for TLS 1.2 (see {@link
   * TlsContexts#serverWithoutResumption}).
   */
  @Override
  public TlsEngineMaker server(ServerTlsSpec spec) {
    SSLContext withoutResumption = TlsContexts.serverWithoutResumption(spec.identity(), spec.clientCa(),
        spec.revocation());
    SSLContext tls12 = TlsContexts.ticketsAreStateless()
        ? TlsContexts.server(spec.identity(), spec.clientCa(), spec.revocation())
        : withoutResumption;
    boolean allowsTls13 = spec.allowsTls13();
    return new Maker("server " + spec.identity()) {
      @Override
      public SSLEngine newEngine() {
        return newEngine(false);
      }

      @Override
      public SSLEngine newEngine(boolean clientOffersTls13) {
        SSLContext context = clientOffersTls13 && allowsTls13 ? withoutResumption : tls12;
        SSLEngine engine = TlsContexts.serverEngine(context, spec.askForClientCertificate(), spec.protocols());
        if (!spec.cipherSuites().isEmpty()) {
          engine.setEnabledCipherSuites(spec.cipherSuites().toArray(new String[0]));
        }
        return engine;
      }
    };
  }

  @Override
  public TlsEngineMaker client(ClientTlsSpec spec) {
    SSLContext context = TlsContexts.client(spec.trust(), spec.clientIdentity());
    return new Maker("client " + spec.serverName() + ":" + spec.port()) {
      @Override
      public SSLEngine newEngine() {
        SSLEngine engine = TlsContexts.clientEngine(context, spec.serverName(), spec.port(), spec.verifyHostName(),
            spec.protocols());
        if (!spec.applicationProtocols().isEmpty()) {
          SSLParameters p = engine.getSSLParameters();
          p.setApplicationProtocols(spec.applicationProtocols().toArray(new String[0]));
          engine.setSSLParameters(p);
        }
        return engine;
      }
    };
  }

  /** Engines of the JDK hold nothing outside the heap: nothing to release or retire. */
  private abstract static class Maker implements TlsEngineMaker {
    private final String what;

    Maker(String what) {
      this.what = what;
    }

    @Override
    public void release(SSLEngine engine) {
    }

    @Override
    public void retire() {
    }

    @Override
    public String toString() {
      return "jdk " + what;
    }
  }

  @Override
  public String toString() {
    return NAME;
  }

  /** Every instance is the same engine, so configurations naming it compare equal. */
  @Override
  public boolean equals(Object o) {
    return o instanceof JdkTlsEngineFactory;
  }

  @Override
  public int hashCode() {
    return NAME.hashCode();
  }
}
