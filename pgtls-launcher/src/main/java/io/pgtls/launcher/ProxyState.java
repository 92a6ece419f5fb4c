package io.pgtls.launcher;

/** Where the running proxy is in its life, as {@code /ready} reports it. */
enum ProxyState {
  /** Building and binding; not ready. */
  STARTING,
  /** Listening and accepting: {@code /ready} answers 200. */
  ACCEPTING,
  /** Asked to stop: no longer accepting, live sessions finishing ({@code drain_timeout}). */
  DRAINING,
  /** Closed. */
  STOPPED;

  boolean ready() {
    return this == ACCEPTING;
  }
}
