package io.pgtls;

import java.util.List;

/**
 * What {@link PgTlsProxy#reconfigure} did: the configuration generation now in service, the
 * routes by name, and what became of the live sessions.
 *
 * @param generation 1 for the configuration the proxy started with, then one more per reconfiguration
 * @param sessionsKept live sessions that carry on as they are
 * @param sessionsDraining sessions of removed routes, or routes whose backend changed, that end at
 *     their next idle point
 * @param sessionsClosed sessions ended at once: by a route's {@link Route.OnReload#CLOSE}, or because
 *     the new configuration denies them access
 */
public record Reconfiguration(long generation, List<String> added, List<String> removed, List<String> changed,
    List<String> unchanged, int sessionsKept, int sessionsDraining, int sessionsClosed) {
  public Reconfiguration {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    changed = List.copyOf(changed);
    unchanged = List.copyOf(unchanged);
  }

  /** One line for the log. */
  public String summary() {
    return "generation " + generation + ": routes added " + added + ", removed " + removed + ", changed " + changed
        + ", unchanged " + unchanged.size() + "; sessions kept " + sessionsKept + ", draining " + sessionsDraining
        + ", closed " + sessionsClosed;
  }
}
