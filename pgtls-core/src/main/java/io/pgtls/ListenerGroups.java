package io.pgtls;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Routes added with {@link PgTlsProxy.Builder#route(Route)} that name the same fixed listen
 * address share one listener, as several {@code [[proxy]]} sections with one {@code bind_address}
 * do in the TOML. What the listener does before a route is chosen (timeouts, plaintext policies)
 * must then agree across them; a difference is refused naming both routes.
 */
final class ListenerGroups {
  private ListenerGroups() {}

  static List<Listener> group(List<Listener> listeners) {
    Map<HostPort, Integer> byAddress = new LinkedHashMap<>();
    List<Listener> out = new ArrayList<>();
    for (Listener l : listeners) {
      boolean shareable = l.ownRoute() != null && l.address() != null && l.address().port() != 0;
      Integer at = shareable ? byAddress.get(l.address()) : null;
      if (at == null || out.get(at).ownRoute() == null) {
        if (shareable) {
          byAddress.putIfAbsent(l.address(), out.size());
        }
        out.add(l);
        continue;
      }
      Listener first = out.get(at);
      Route joining = l.routes().get(0);
      agree(first, joining, "startup_timeout", first.startupTimeout(), l.startupTimeout());
      agree(first, joining, "handshake_timeout", first.handshakeTimeout(), l.handshakeTimeout());
      agree(first, joining, "allow_plaintext_cancel", first.allowPlaintextCancel(), l.allowPlaintextCancel());
      agree(first, joining, "allow_plaintext_clients", first.allowPlaintextClients(), l.allowPlaintextClients());
      agree(first, joining, "proxy_protocol", first.proxyProtocol(), l.proxyProtocol());
      out.set(at, first.with(joining));
    }
    return out;
  }

  private static void agree(Listener first, Route joining, String key, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      throw PgTlsException.ofSetting(joining.name(), "listener." + key, "routes '" + first.ownRoute() + "' and '"
          + joining.name() + "' share listener.bind_address " + first.address() + ", so their " + key
          + " must agree: '" + first.ownRoute() + "' has " + show(a) + ", '" + joining.name() + "' has " + show(b));
    }
  }

  private static String show(Object value) {
    if (value == null) {
      return "none"; // a setting left unset, such as proxy_protocol on a route of direct clients
    }
    return value instanceof Duration ? ((Duration) value).toMillis() + " ms" : String.valueOf(value);
  }
}
