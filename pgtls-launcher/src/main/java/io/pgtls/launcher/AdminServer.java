package io.pgtls.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgtls.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin HTTP endpoint, on the JDK's own {@code com.sun.net.httpserver.HttpServer}:
 * {@code /metrics} (Prometheus text), {@code /health} (200 while the process runs) and
 * {@code /ready} (200 while the proxy accepts, 503 before and once it drains), with GET and HEAD;
 * and {@code POST /reload}, which runs one reload and answers with how it ended (see {@link
 * ReloadOutcome#httpStatus()}), when {@link ReloadAuthorization} lets the request through.
 * It never touches the proxy's loop threads: {@code metrics} renders snapshots.
 */
final class AdminServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * @param reloadToken the token {@code POST /reload} must present; empty: none, and then only a
   *     loopback endpoint takes the request
   * @param reload runs one reload and waits for it
   */
  static AdminServer start(HostPort bind, Supplier<String> metrics, Supplier<ProxyState> state,
      Optional<String> reloadToken, Supplier<ReloadOutcome> reload) throws IOException {
    // Resolved once here, like a route's bind_address when it binds.
    InetSocketAddress address = new InetSocketAddress(bind.host(), bind.port());
    if (address.isUnresolved()) {
      throw new IOException("cannot resolve " + bind.host());
    }
    HttpServer server = HttpServer.create(address, 16);
    ReloadAuthorization authorization =
        ReloadAuthorization.of(reloadToken, server.getAddress().getAddress().isLoopbackAddress());
    server.createContext("/", exchange -> handle(exchange, metrics, state, authorization, reload));
    // Without an executor HttpServer runs handlers on its single dispatcher thread; workers keep a
    // slow scrape from blocking accept, and a second one keeps a reload from holding up scrapes.
    // Daemon, so they never hold the JVM up.
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
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

  private static void handle(HttpExchange exchange, Supplier<String> metrics, Supplier<ProxyState> state,
      ReloadAuthorization authorization, Supplier<ReloadOutcome> reload) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (exchange.getRequestURI().getPath().equals("/reload")) {
        reload(exchange, authorization, reload);
        return;
      }
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
        default -> send(exchange, 404, "text/plain; charset=utf-8",
            "not found; try /metrics, /health, /ready or POST /reload\n");
      }
    }
  }

  /** {@code /reload}: POST only (it changes state), authorized, then one reload waited for. */
  private static void reload(HttpExchange exchange, ReloadAuthorization authorization,
      Supplier<ReloadOutcome> reload) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      exchange.getResponseHeaders().set("Allow", "POST");
      send(exchange, 405, "text/plain; charset=utf-8", "method not allowed; use POST /reload\n");
      return;
    }
    exchange.getRequestBody().readAllBytes();
    if (!authorization.permits(Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")))) {
      send(exchange, 403, "text/plain; charset=utf-8", authorization.refusal());
      return;
    }
    ReloadOutcome outcome = reload.get();
    send(exchange, outcome.httpStatus(), "text/plain; charset=utf-8", outcome.message() + "\n");
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
