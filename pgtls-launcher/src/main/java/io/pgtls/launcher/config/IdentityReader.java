package io.pgtls.launcher.config;

import io.pgtls.ClientIdentity.Source;
import io.pgtls.launcher.config.IdentityConfig.IdentityMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a {@code [proxy.identity]} table into an {@link IdentityConfig}, rejecting unknown keys and
 * a map that is half written: {@code map} names the map, and exactly one of {@code map_file} and
 * {@code map_lines} holds its lines. The lines themselves, and {@code backend_setting}, are checked
 * by the core's {@code build()}.
 */
final class IdentityReader {
  private static final Set<String> KEYS = Set.of("source", "map", "map_file", "map_lines", "backend_setting");

  private IdentityReader() {}

  static IdentityConfig read(TomlSection identity) throws ConfigException {
    identity.allowOnly(KEYS);
    Source source = source(identity);
    Optional<String> name = identity.text("map");
    Optional<Path> file = identity.path("map_file");
    List<String> lines = identity.strings("map_lines");
    if (identity.has("map_lines") && lines.isEmpty()) {
      throw identity.error("map_lines", "the list is empty; write the map's lines, or remove map_lines");
    }
    Optional<String> linesFrom = identity.firstPresent(List.of("map_file", "map_lines"));
    if (file.isPresent() && !lines.isEmpty()) {
      String first = linesFrom.orElseThrow();
      String second = first.equals("map_file") ? "map_lines" : "map_file";
      throw identity.sectionError(first, first + " and " + second + " are both set; keep one: map_file names a "
          + "pg_ident.conf file, map_lines gives the lines here");
    }
    if (name.isPresent() && linesFrom.isEmpty()) {
      throw identity.sectionError("map", "map is set but neither map_file nor map_lines is; give the lines of map "
          + TomlSection.quote(name.get()) + " in one of them, or remove map");
    }
    if (name.isEmpty() && linesFrom.isPresent()) {
      throw identity.sectionError(linesFrom.get(), linesFrom.get() + " is set but map is missing; set map to the "
          + "name (the first field of the lines) of the map to use");
    }
    Optional<IdentityMap> map = name.map(n -> new IdentityMap(n, file, lines));
    return new IdentityConfig(source, map, identity.text("backend_setting"));
  }

  private static Source source(TomlSection identity) throws ConfigException {
    Optional<String> text = identity.string("source");
    if (text.isEmpty()) {
      return Source.CN;
    }
    return ConfigNames.exact(Source.class, text.get()).orElseThrow(() -> identity.error("source",
        "expected \"cn\", \"dn\", \"san_dns\", \"san_email\" or \"san_uri\", got " + TomlSection.describe(text.get())));
  }
}
