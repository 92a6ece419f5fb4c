package io.pgtls.internal.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Collects a listener's routes with their server names and checks them into a
 * {@link ServerNames}. Every message names the pattern and the route(s), by their
 * {@code toString()}.
 *
 * @param <R> the route type
 */
public final class ServerNamesBuilder<R> {
  private record Entry<R>(R route, List<String> patterns) {}

  private final List<Entry<R>> entries = new ArrayList<>();

  ServerNamesBuilder() {}

  /**
   * Adds a route and the server names it serves: exact names, {@code *.suffix} wildcards and the
   * keyword {@code no_sni}. An empty list makes it the default route.
   */
  public ServerNamesBuilder<R> add(R route, List<String> patterns) {
    Objects.requireNonNull(route, "route");
    entries.add(new Entry<>(route, new ArrayList<>(patterns)));
    return this;
  }

  /**
   * Checks the routes in the order they were added and builds the matcher.
   *
   * @throws IllegalArgumentException at the first malformed pattern, or when two routes (or one
   *     route twice) claim the same exact name, the same wildcard, {@code no_sni}, or the default
   */
  public ServerNames<R> build() {
    Map<String, Claim<R>> exact = new LinkedHashMap<>();
    Map<String, Claim<R>> wildcards = new LinkedHashMap<>();
    Claim<R> noName = null;
    R defaultRoute = null;
    for (Entry<R> entry : entries) {
      R route = entry.route();
      if (entry.patterns().isEmpty()) {
        if (defaultRoute != null) {
          throw new IllegalArgumentException("routes '" + defaultRoute + "' and '" + route
              + "' are both default routes (they name no server names); a listener has at most one");
        }
        defaultRoute = route;
      }
      for (String written : entry.patterns()) {
        ServerNamePattern pattern = parse(route, written);
        Claim<R> claim = new Claim<>(route, pattern);
        switch (pattern.type()) {
          case EXACT -> claim(exact, claim, "server name");
          case WILDCARD -> claim(wildcards, claim, "wildcard");
          case NO_NAME -> {
            if (noName != null) {
              throw new IllegalArgumentException(noName.route().equals(route)
                  ? "route '" + route + "' names " + ServerNamePattern.NO_SNI + " twice"
                  : "routes '" + noName.route() + "' and '" + route + "' both name " + ServerNamePattern.NO_SNI
                      + "; a listener has at most one route for clients that send no server name");
            }
            noName = claim;
          }
        }
      }
    }
    Map<String, R> exactRoutes = new LinkedHashMap<>();
    exact.forEach((name, claim) -> exactRoutes.put(name, claim.route()));
    Map<String, R> wildcardRoutes = new LinkedHashMap<>();
    wildcards.forEach((name, claim) -> wildcardRoutes.put(name.substring(2), claim.route()));
    return ServerNames.of(exactRoutes, wildcardRoutes, noName == null ? null : noName.route(), defaultRoute);
  }

  /** A pattern and the route that named it. */
  private record Claim<R>(R route, ServerNamePattern pattern) {}

  private static <R> ServerNamePattern parse(R route, String written) {
    if (written == null) {
      throw new IllegalArgumentException("route '" + route + "': a server name is null");
    }
    try {
      return ServerNamePattern.parse(written);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("route '" + route + "': " + e.getMessage(), e);
    }
  }

  private static <R> void claim(Map<String, Claim<R>> claims, Claim<R> claim, String what) {
    Claim<R> earlier = claims.putIfAbsent(claim.pattern().name(), claim);
    if (earlier == null) {
      return;
    }
    String name = claim.pattern().name();
    String first = earlier.pattern().written();
    String second = claim.pattern().written();
    String spellings = first.equals(name) && second.equals(name) ? "" : " (written '" + first + "' and '" + second + "')";
    throw new IllegalArgumentException(earlier.route().equals(claim.route())
        ? "route '" + claim.route() + "' names " + what + " '" + name + "' twice" + spellings
        : "routes '" + earlier.route() + "' and '" + claim.route() + "' both name " + what + " '" + name + "'"
            + spellings + "; a name may lead to one route only");
  }
}
