package io.pgtls.e2e;

import io.pgtls.BackendTls;
import io.pgtls.ListenerTls;
import io.pgtls.PgTlsProxy;
import io.pgtls.Route;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * pgtls alone in a JVM of its own, so that a test can measure its heap and threads without the
 * clients' objects in the same heap. Arguments: cert key caCert backendPort backendTls(true|false).
 * Prints "PORT n"; then answers "heap", "threads", "active", "buffers" on stdin, one number a line.
 */
public final class ProxyProcessMain {
  private ProxyProcessMain() {}

  public static void main(String[] args) throws Exception {
    // Quiet: the parent reads answers from stdout, and 2,000 connection log lines would fill the pipe.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    BackendTls backend = Boolean.parseBoolean(args[4]) ? BackendTls.verifyFull(Path.of(args[2])) : BackendTls.disabled();
    try (PgTlsProxy proxy = PgTlsProxy.builder().name("measured").loops(2)
        .route(Route.builder("r").listen("127.0.0.1:0").tls(ListenerTls.pem(Path.of(args[0]), Path.of(args[1])))
            .backend("127.0.0.1:" + args[3]).backendTls(backend).startupTimeout(Duration.ofMinutes(10)).build())
        .build().start()) {
      System.out.println("PORT " + proxy.boundAddress("r").getPort());
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        switch (line.trim()) {
          case "heap":
            for (int i = 0; i < 4; i++) {
              System.gc();
              Thread.sleep(100);
            }
            System.out.println(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            break;
          case "threads":
            System.out.println(Thread.activeCount());
            break;
          case "active":
            System.out.println(proxy.activeConnections());
            break;
          case "buffers":
            System.out.println(proxy.buffersInUse());
            break;
          default:
            System.out.println("?");
        }
        System.out.flush();
      }
    }
  }
}
