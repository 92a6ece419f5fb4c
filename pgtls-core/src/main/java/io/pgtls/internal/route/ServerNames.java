package io.pgtls.internal.route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which of a listener's routes serves the TLS server name (SNI) a client asks for.
 *
 * <p>Each route names the server names it serves:
 * <ul>
 *   <li>exact names, such as {@code db1.example.com} or {@code pg_primary};
 *   <li>single-label wildcards, such as {@code *.tenants.example.com}, which match
 *       {@code x.tenants.example.com} but neither {@code x.y.tenants.example.com} nor
 *       {@code tenants.example.com} (RFC 6125 §6.4.3, as Traefik and libpq's certificate check
 *       read it);
 *   <li>the keyword {@code no_sni} (as in PostgreSQL's {@code pg_hosts.conf}): the route for
 *       clients that send no server name or an IP address. A host literally named
 *       {@code no_sni} cannot be routed by name.
 * </ul>
 * A route that names nothing (in the TOML, a route without {@code server_names}) is the
 * listener's default route.
 *
 * <p>Names compare ASCII case-insensitively, and one trailing dot is ignored on either side:
 * PostgreSQL accepts {@code host=db.example.com.} and libpq sends it as it is, although RFC 6066
 * §3 forbids it. Underscores are allowed, since libpq sends {@code pg_primary} as written.
 *
 * <p>Matching order: exact, wildcard, no-name (only when the client sent no name or an IP
 * address; never a fallback for an unknown name), default. Nothing matching means the handshake
 * fails with a TLS {@code unrecognized_name} alert.
 *
 * @param <R> the route type; its {@code toString()} names the route in messages
 */
public final class ServerNames<R> {
  /** How a name found its route; the label is a log and metric label. */
  public enum Kind {
    EXACT("exact"),
    WILDCARD("wildcard"),
    /** No server name, or an IP address, was sent; the label is the configuration keyword. */
    NO_NAME("no_sni"),
    DEFAULT("default");

    public final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** The route a server name takes, and why. */
  public record Match<R>(R route, Kind kind) {
    public Match {
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(kind, "kind");
    }
  }

  private final Map<String, R> exact;
  /** Keyed by the suffix after {@code *.}. */
  private final Map<String, R> wildcards;
  private final R noName;
  private final R defaultRoute;

  private ServerNames(Map<String, R> exact, Map<String, R> wildcards, R noName, R defaultRoute) {
    this.exact = Collections.unmodifiableMap(exact);
    this.wildcards = Collections.unmodifiableMap(wildcards);
    this.noName = noName;
    this.defaultRoute = defaultRoute;
  }

  public static <R> ServerNamesBuilder<R> builder() {
    return new ServerNamesBuilder<>();
  }

  static <R> ServerNames<R> of(Map<String, R> exact, Map<String, R> wildcards, R noName, R defaultRoute) {
    return new ServerNames<>(new LinkedHashMap<>(exact), new LinkedHashMap<>(wildcards), noName, defaultRoute);
  }

  /**
   * The route for the server name a client sent.
   *
   * @param serverName the name from the ClientHello; {@code null} or empty when there was none
   * @return empty when no route serves it: the handshake must fail with {@code unrecognized_name}
   */
  public Optional<Match<R>> match(String serverName) {
    if (serverName == null || serverName.isEmpty()) {
      return noNameOrDefault();
    }
    String name = ServerNamePattern.normalise(serverName);
    if (name.isEmpty() || ServerNamePattern.isIpLiteral(name)) {
      return noNameOrDefault();
    }
    R route = exact.get(name);
    if (route != null) {
      return Optional.of(new Match<>(route, Kind.EXACT));
    }
    int dot = name.indexOf('.');
    // The first label must be a real label: ".example.com" or "*.example.com" sent by a client
    // stands for no label at all.
    if (dot > 0 && ServerNamePattern.isLabel(name.subSequence(0, dot))) {
      route = wildcards.get(name.substring(dot + 1));
      if (route != null) {
        return Optional.of(new Match<>(route, Kind.WILDCARD));
      }
    }
    return orDefault();
  }

  /** Whether no route at all is configured: every match is empty. */
  public boolean isEmpty() {
    return exact.isEmpty() && wildcards.isEmpty() && noName == null && defaultRoute == null;
  }

  /**
   * Whether the route depends on the server name: some route names a server name or
   * {@code no_sni}. When false, every client takes the default route (or none), so the
   * ClientHello need not be read before the handshake.
   */
  public boolean routesByName() {
    return !exact.isEmpty() || !wildcards.isEmpty() || noName != null;
  }

  /** One line per pattern, in matching order, saying where it leads; for {@code --check}. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    exact.forEach((name, route) -> lines.add(line(Kind.EXACT.label, name, route)));
    wildcards.forEach((suffix, route) -> lines.add(line(Kind.WILDCARD.label, "*." + suffix, route)));
    if (noName != null) {
      lines.add(line(Kind.NO_NAME.label, "(no server name, or an IP address)", noName));
    }
    String rest = noName == null ? "(any other server name, or none)" : "(any other server name)";
    lines.add(defaultRoute == null
        ? line("refuse", rest, "unrecognized_name alert")
        : line(Kind.DEFAULT.label, rest, defaultRoute));
    return List.copyOf(lines);
  }

  private static String line(String kind, String what, Object to) {
    return String.format("%-8s %s -> %s", kind, what, to);
  }

  private Optional<Match<R>> noNameOrDefault() {
    return noName != null ? Optional.of(new Match<>(noName, Kind.NO_NAME)) : orDefault();
  }

  private Optional<Match<R>> orDefault() {
    return defaultRoute != null ? Optional.of(new Match<>(defaultRoute, Kind.DEFAULT)) : Optional.empty();
  }
}
