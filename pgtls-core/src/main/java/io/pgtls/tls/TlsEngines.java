package io.pgtls.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/** The TLS engines this JVM has: the JDK's, and those found by {@link ServiceLoader}. */
public final class TlsEngines {
  /**
   * A system property naming the engine of proxies whose builder names none (embedders and the
   * testkit's second run use it); the launcher sets its engine explicitly from {@code tls_engine}.
   */
  public static final String DEFAULT_PROPERTY = "pgtls.tls_engine";

  private static final TlsEngineFactory JDK = new JdkTlsEngineFactory();

  private TlsEngines() {
  }

  /** The JDK's engine: the default. */
  public static TlsEngineFactory jdk() {
    return JDK;
  }

  /** Every engine installed: the JDK's first, then those {@link ServiceLoader} finds, available or not. */
  public static List<TlsEngineFactory> installed() {
    List<TlsEngineFactory> all = new ArrayList<>();
    all.add(JDK);
    for (TlsEngineFactory f : ServiceLoader.load(TlsEngineFactory.class, TlsEngines.class.getClassLoader())) {
      if (!f.name().equals(JdkTlsEngineFactory.NAME)) {
        all.add(f);
      }
    }
    return all;
  }

  /**
   * The engine called {@code name} (case-insensitive), available or not ({@link
   * TlsEngineFactory#unavailability()} says).
   *
   * @throws IllegalArgumentException when no engine of that name is installed
   */
  public static TlsEngineFactory named(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    List<TlsEngineFactory> all = installed();
    for (TlsEngineFactory f : all) {
      if (f.name().equals(wanted)) {
        return f;
      }
    }
    throw new IllegalArgumentException("no TLS engine named '" + name + "' is installed (installed: "
        + all.stream().map(TlsEngineFactory::name).toList() + ")");
  }

  /**
   * The engine of a proxy whose builder names none: the one {@value #DEFAULT_PROPERTY} names, else
   * the JDK's.
   *
   * @throws IllegalArgumentException when the property names an engine that is not installed or
   *     cannot run here
   */
  public static TlsEngineFactory fallback() {
    String name = System.getProperty(DEFAULT_PROPERTY, "");
    if (name.isBlank()) {
      return JDK;
    }
    TlsEngineFactory f = named(name);
    f.unavailability().ifPresent(why -> {
      throw new IllegalArgumentException("-D" + DEFAULT_PROPERTY + "=" + name + ": the engine cannot run here: " + why);
    });
    return f;
  }
}
