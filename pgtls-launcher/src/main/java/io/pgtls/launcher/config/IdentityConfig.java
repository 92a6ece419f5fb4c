package io.pgtls.launcher.config;

import io.pgtls.ClientIdentity.Source;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code [proxy.identity]} table: which database users a client certificate may log in as.
 *
 * @param source {@code source}: where in the certificate the identity is taken from
 * @param map {@code map} with {@code map_file} or {@code map_lines}: a {@code pg_ident.conf}-style
 *     map pairing identities with users; empty when the identity must equal the user
 * @param backendSetting {@code backend_setting}: the StartupMessage setting that passes the
 *     verified identity to the backend; empty when it is not passed
 */
public record IdentityConfig(Source source, Optional<IdentityMap> map, Optional<String> backendSetting) {
  /**
   * The map named {@code name}, its lines either in {@code file} ({@code pg_ident.conf} syntax) or
   * given as {@code lines}; the loader accepts exactly one of the two.
   */
  public record IdentityMap(String name, Optional<Path> file, List<String> lines) {
    public IdentityMap {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(file, "file");
      lines = List.copyOf(lines);
    }

    @Override
    public String toString() {
      return "map=" + name + file.map(f -> " map_file=" + f).orElse(" map_lines=" + lines.size());
    }
  }

  public IdentityConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(map, "map");
    Objects.requireNonNull(backendSetting, "backendSetting");
  }

  @Override
  public String toString() {
    return "identity{source=" + ConfigNames.of(source) + map.map(m -> " " + m).orElse("")
        + backendSetting.map(s -> " backend_setting=" + s).orElse("") + "}";
  }
}
