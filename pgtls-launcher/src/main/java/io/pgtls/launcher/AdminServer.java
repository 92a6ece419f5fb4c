package io.pgtls.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgtls.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin HTTP endpoint, on the JDK's own {@code com.sun.net.httpserver.HttpServer}:
 * {@code /metrics} (Prometheus text), {@code /health} (200 while the process runs) and
 * {@code /ready} (200 while the proxy accepts, 503 before and once it drains). GET and HEAD only.
 * It never touches the proxy's loop threads: {@code metrics} renders snapshots.
 */
final class AdminServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static AdminServer start(HostPort bind, Supplier<String> metrics, Supplier<ProxyState> state)
      throws IOException {
    // Resolved once here, like a route's bind_address when it binds.
    InetSocketAddress address = new InetSocketAddress(bind.host(), bind.port());
    if (address.isUnresolved()) {
      throw new IOException("cannot resolve " + bind.host());
    }
    HttpServer server = HttpServer.create(address, 16);
    server.createContext("/", exchange -> handle(exchange, metrics, state));
    // Without an executor HttpServer runs handlers on its single dispatcher thread; one worker
    // keeps a slow scrape from blocking accept. Daemon, so it never holds the JVM up.
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "pgtls-admin");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    return new AdminServer(server, executor);
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  private static void handle(HttpExchange exchange, Supplier<String> metrics, Supplier<ProxyState> state)
      throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return;
      }
      // Contexts match by path prefix ("/metricsx" would reach a "/metrics" context), so one
      // context takes everything and the path is compared exactly here.
      switch (exchange.getRequestURI().getPath()) {
        case "/metrics" -> send(exchange, 200, PrometheusText.CONTENT_TYPE, metrics.get());
        case "/health" -> send(exchange, 200, "text/plain; charset=utf-8", "ok\n");
        case "/ready" -> {
          ProxyState s = state.get();
          send(exchange, s.ready() ? 200 : 503, "text/plain; charset=utf-8",
              s.name().toLowerCase(Locale.ROOT) + "\n");
        }
        default -> send(exchange, 404, "text/plain; charset=utf-8", "not found; try /metrics, /health or /ready\n");
      }
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    // sendResponseHeaders: -1 means "no body"; a HEAD answer must not carry one.
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream stream = exchange.getResponseBody()) {
        stream.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
