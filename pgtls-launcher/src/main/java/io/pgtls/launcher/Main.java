package io.pgtls.launcher;

/** Entry point of {@code pgtls.jar}; everything but the exit is in {@link PgTlsCommand}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // First of all: the JDK reads this property once, when its TLS code first loads (see the class).
    ServerNameExtension.disableInThisJvm();
    SessionTickets.statefulInThisJvm();
    // Before netty loads (the BoringSSL engine): see the class.
    NettyUnsafe.settleInThisJvm();
    System.exit(new PgTlsCommand(System.out, System.err).run(args).code());
  }
}
