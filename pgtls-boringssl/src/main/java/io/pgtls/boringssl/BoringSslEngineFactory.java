package io.pgtls.boringssl;

import io.netty.handler.ssl.OpenSsl;
import io.pgtls.tls.ClientTlsSpec;
import io.pgtls.tls.ServerTlsSpec;
import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.tls.TlsEngineMaker;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Properties;

/**
 * BoringSSL as pgtls's TLS engine: netty-tcnative's statically linked BoringSSL driven through
 * netty-handler's {@code ReferenceCountedOpenSslEngine}, used as a plain {@link
 * javax.net.ssl.SSLEngine}. Chosen by the name {@value #NAME}; available where netty-tcnative's
 * native library loads ({@link OpenSsl#isAvailable()}).
 *
 * <p>Where it differs from the JDK's engine and who evens it out: it cannot send a
 * no_application_protocol alert (pgtls refuses such a client from its ClientHello, for every
 * engine); it reports no ALPN as null (TlsSession reads it as ""); it closes both directions on a
 * close_notify (TlsSession sends its reply; nothing is sent to that peer after it); it needs an
 * unwrap of nothing after its delegated task and after the last handshake record (TlsSession
 * offers one while handshaking); its engines and contexts hold native memory (released per engine
 * by {@link TlsEngineMaker#release}, per context once retired and unused: {@link NettyEngineMaker}).
 */
public final class BoringSslEngineFactory implements TlsEngineFactory {
  public static final String NAME = "boringssl";

  /** ServiceLoader's constructor. */
  public BoringSslEngineFactory() {
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String describe() {
    if (!OpenSsl.isAvailable()) {
      return "unavailable: " + unavailability().orElse("");
    }
    return OpenSsl.versionString() + ", netty-tcnative " + tcnativeVersion();
  }

  @Override
  public Optional<String> unavailability() {
    if (OpenSsl.isAvailable()) {
      return Optional.empty();
    }
    Throwable cause = OpenSsl.unavailabilityCause();
    return Optional.of("netty-tcnative's native library did not load for " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch") + (cause == null ? "" : ": " + rootMessage(cause)));
  }

  @Override
  public TlsEngineMaker server(ServerTlsSpec spec) {
    return NettyEngineMaker.server(spec);
  }

  @Override
  public TlsEngineMaker client(ClientTlsSpec spec) {
    return NettyEngineMaker.client(spec);
  }

  /** netty-tcnative's version, from its jar's Maven metadata (kept in pgtls.jar, whose manifest is pgtls's). */
  static String tcnativeVersion() {
    try (InputStream in = OpenSsl.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/io.netty/netty-tcnative-classes/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown").replace(".Final", "");
      }
    } catch (IOException e) {
      // fall through: the version is only for the log line
    }
    return "unknown";
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.toString();
  }

  @Override
  public String toString() {
    return NAME;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BoringSslEngineFactory;
  }

  @Override
  public int hashCode() {
    return NAME.hashCode();
  }
}
