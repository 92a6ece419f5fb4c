package io.pgtls;

import java.util.Map;

/**
 * A snapshot of what happened on a listener that chooses its routes by server name, to the
 * connections that reached no route: refused before the server name was known (a plaintext
 * client, garbage, a timeout), or asking for a name no route serves ({@code unrecognized_name}).
 * Connections that reached a route are counted in that route's {@link RouteMetrics}.
 *
 * @param listener the listener's address as configured
 * @param connectionsAccepted every connection the listener accepted
 * @param connectionsActive connections open now on this listener, with a route or not yet
 * @param refusals refusals before a route was chosen, by reason
 * @param clientHandshakeFailures ClientHellos that could not be read, by reason
 */
public record ListenerMetrics(
    String listener,
    long connectionsAccepted,
    long connectionsActive,
    Map<String, Long> refusals,
    Map<String, Long> clientHandshakeFailures) {

  public ListenerMetrics {
    refusals = Map.copyOf(refusals);
    clientHandshakeFailures = Map.copyOf(clientHandshakeFailures);
  }
}
