package io.pgtls.internal.limit;

/** Why {@link SourceLimits} refused a connection or a cancel; {@code label} names it in metrics. */
public enum LimitRefusal {
  /** The client's address already had {@code maxConnectionsPerSource} connections open. */
  PER_SOURCE_CONNECTIONS("per_source_connections"),
  /** The proxy already had {@code maxPendingConnections} connections in startup or handshake. */
  PENDING("pending_connections"),
  /** The client's address started handshakes faster than {@code handshakesPerSecond}. */
  HANDSHAKE_RATE("handshake_rate"),
  /** The client's address sent CancelRequests faster than {@code cancelsPerSecond}. */
  CANCEL_RATE("cancel_rate");

  private final String label;

  LimitRefusal(String label) {
    this.label = label;
  }

  /** The metric label, e.g. {@code per_source_connections}. */
  public String label() {
    return label;
  }
}
