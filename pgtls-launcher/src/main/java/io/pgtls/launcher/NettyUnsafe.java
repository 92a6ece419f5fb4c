package io.pgtls.launcher;

import java.util.Properties;

/**
 * Keeps netty (under the BoringSSL engine) from printing the JDK's {@code sun.misc.Unsafe}
 * deprecation warnings at start on Java 24 and later.
 *
 * <p>JDK quirk (JEP 471/498): from Java 24 the first call of a {@code sun.misc.Unsafe} memory
 * method prints four "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called"
 * lines, unless the JVM was started with {@code --sun-misc-unsafe-memory-access=allow} (which
 * Java 17 to 22 refuse as an unknown option, so only {@code bin/pgtls}, which reads the runtime's
 * version, passes it). netty 4.1 calls them when its allocator starts. Its own switch, {@code
 * io.netty.noUnsafe=true}, avoids them at some cost per record (docs: specs/operations.md, "TLS
 * engine"), so it is set only on Java 24+ started without the option, and never over a value the
 * operator gave. The option shows in this JVM as the system property {@value #JDK_PROPERTY}.
 */
final class NettyUnsafe {
  static final String JDK_PROPERTY = "sun.misc.unsafe.memory.access";
  static final String NETTY_PROPERTY = "io.netty.noUnsafe";
  /** The first Java feature release that warns by default. */
  static final int FIRST_WARNING = 24;

  /** What {@link #settleInThisJvm()} did, logged once logging is set up; null when nothing. */
  private static volatile String outcome;

  private NettyUnsafe() {}

  /** Before anything loads netty: see the class. */
  static void settleInThisJvm() {
    outcome = settle(System.getProperties(), Runtime.version().feature());
  }

  static String outcome() {
    return outcome;
  }

  /** Sets {@value #NETTY_PROPERTY} in {@code properties} where it must, and says so; null when it leaves them. */
  static String settle(Properties properties, int javaFeature) {
    if (javaFeature < FIRST_WARNING || properties.getProperty(JDK_PROPERTY) != null
        || properties.getProperty(NETTY_PROPERTY) != null) {
      return null;
    }
    properties.setProperty(NETTY_PROPERTY, "true");
    return NETTY_PROPERTY + " set to 'true': Java " + javaFeature + " warns when netty uses sun.misc.Unsafe; start "
        + "the JVM with --sun-misc-unsafe-memory-access=allow (bin/pgtls does) to let netty use it without the warning";
  }
}
