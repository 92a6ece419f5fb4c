package io.pgtls.internal.conn;

import io.pgtls.internal.proxy.ProxyHeader;
import io.pgtls.internal.proxy.ProxyProtocolPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * READING_PROXY_HEADER: the PROXY protocol header a trusted load balancer sends before anything
 * else, byte by byte if it comes so, under the startup timeout. Ends with the header (its bytes
 * taken from the client's input; whatever followed stays there for NEGOTIATING), or a refusal: a
 * trusted peer must send one, and anything else is closed.
 */
final class ProxyHeaderReading implements Stage {
  private final ConnectionLog log;
  private final ProxyProtocolPolicy policy;
  private final Leg client;
  private final Duration timeout;
  private long deadline = NO_DEADLINE;

  ProxyHeaderReading(ConnectionLog log, ProxyProtocolPolicy policy, Leg client, Duration timeout) {
    this.log = log;
    this.policy = policy;
    this.client = client;
    this.timeout = timeout;
  }

  @Override
  public void enter(ConnectionState state, long nowNanos) {
    deadline = nowNanos + timeout.toNanos();
  }

  @Override
  public Outcome step(ConnectionState state) throws IOException {
    while (true) {
      ProxyHeader.Parse p = ProxyHeader.peek(client.wire().input(), policy.versions(), policy.maxV2Length());
      switch (p.kind()) {
        case HEADER:
          client.wire().skip(p.length());
          return Outcome.proxyHeader(p.info());
        case INVALID:
          return Outcome.refuse(Refusals.invalidProxyHeader(p.reason()));
        case NEED_MORE:
        default:
          if (client.wire().inputFull()) {
            return Outcome.refuse(Refusals.invalidProxyHeader("header longer than the input buffer ("
                + client.wire().inputSize() + " bytes)"));
          }
          int n = client.wire().readIfReady();
          if (n < 0) {
            return closed();
          }
          if (n == 0) {
            return Outcome.WAIT;
          }
      }
    }
  }

  private Outcome closed() {
    if (!client.wire().hasInput()) {
      // A balancer's TCP health check: it connects and closes without a word.
      log.debug("closed before sending a PROXY protocol header (a load balancer health check?)");
      return Outcome.clientLeft("closed before a PROXY protocol header");
    }
    log.info("incomplete PROXY protocol header ({} bytes), peer closed", client.wire().inputSize());
    return Outcome.clientLeft("incomplete PROXY protocol header");
  }

  @Override
  public boolean wantsInput(ConnectionState state, Leg leg) {
    return leg == client;
  }

  @Override
  public long deadline() {
    return deadline;
  }

  @Override
  public Outcome onDeadline(ConnectionState state) {
    return Outcome.refuse(Refusals.proxyHeaderTimeout(TimeUnit.NANOSECONDS.toMillis(timeout.toNanos())));
  }

  @Override
  public String toString() {
    return "ProxyHeaderReading[" + policy + "]";
  }
}
