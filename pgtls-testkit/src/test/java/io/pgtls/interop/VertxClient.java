package io.pgtls.interop;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** vertx-pg-client, the Netty-based asynchronous driver, in this JVM. */
final class VertxClient implements InteropClient {
  private static final long TIMEOUT_SECONDS = 30;
  private static Vertx vertx;

  private static synchronized Vertx vertx() {
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
    return vertx;
  }

  static synchronized void closeAll() {
    if (vertx != null) {
      await(vertx.close());
      vertx = null;
    }
  }

  @Override
  public String name() {
    return "vertx-pg-client";
  }

  @Override
  public void requireInstalled() {
    // On the test classpath.
  }

  @Override
  public Outcome query(Endpoint endpoint, String sql) {
    long started = System.nanoTime();
    try {
      PgConnection c = await(PgConnection.connect(vertx(), options(endpoint)));
      try {
        RowSet<Row> rows = await(c.query(sql).execute());
        return new Outcome(true, String.valueOf(rows.iterator().next().getValue(0)), "", since(started));
      } finally {
        await(c.close());
      }
    } catch (RuntimeException e) {
      return new Outcome(false, null, Errors.describe(e), since(started));
    }
  }

  @Override
  public Outcome cancel(Endpoint endpoint, String sql, Runnable running) {
    long started = System.nanoTime();
    PgConnection c = await(PgConnection.connect(vertx(), options(endpoint)));
    try {
      Future<RowSet<Row>> sleeping = c.query(sql).execute();
      running.run();
      await(c.cancelRequest());
      try {
        await(sleeping);
        return new Outcome(true, "not cancelled", "", since(started));
      } catch (RuntimeException cancelled) {
        Outcome o = new Outcome(false, null, Errors.describe(cancelled), since(started));
        await(c.query("select 1").execute());
        return o;
      }
    } finally {
      await(c.close());
    }
  }

  @Override
  public String cancelMechanism() {
    return "PgConnection.cancelRequest(): a CancelRequest in plaintext on a new connection";
  }

  @Override
  public boolean cancelsInsideTls() {
    return true;
  }

  @Override
  public String untrustedServerError() {
    // vertx-pg-client reports the failed handshake without its cause (the PKIX failure).
    return "SSL handshake failed";
  }


  private static PgConnectOptions options(Endpoint e) {
    PgConnectOptions o = new PgConnectOptions()
        .setHost(e.host())
        .setPort(e.port())
        .setDatabase(e.database())
        .setUser(e.user())
        .setPassword(e.password());
    o.setConnectTimeout(20_000);
    if (!e.encrypted()) {
      return o.setSslMode(SslMode.DISABLE);
    }
    o.setSslMode(SslMode.VERIFY_FULL)
        .setHostnameVerificationAlgorithm("HTTPS")
        .setPemTrustOptions(new PemTrustOptions().addCertPath(e.rootCertificate().toString()));
    if (e.clientCertificate() != null) {
      o.setPemKeyCertOptions(new PemKeyCertOptions().setCertPath(e.clientCertificate().toString())
          .setKeyPath(e.clientKey().toString()));
    }
    return o;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause()
          : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("vertx-pg-client did not answer in " + TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Duration since(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }
}
