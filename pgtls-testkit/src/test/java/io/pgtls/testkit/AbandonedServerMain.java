package io.pgtls.testkit;

/**
 * Run in a child JVM by {@link ServerReaperTest}: starts a server, never closes it, prints its
 * postmaster pid and directory, and waits to be terminated.
 */
public final class AbandonedServerMain {

  private AbandonedServerMain() {}

  public static void main(String[] args) throws Exception {
    PostgresServer server = PostgresServer.builder().start();
    System.out.println("pid=" + server.postmasterPid() + " dir=" + server.dataDirectory().getParent());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
