package io.pgtls;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Ties a route's client certificates to the database users they may log in as, with PostgreSQL's
 * {@code cert} authentication semantics: the identity taken from the certificate ({@link Source})
 * must equal the StartupMessage's {@code user} exactly (case-sensitive), or, with a map, some line
 * of a {@code pg_ident.conf}-style map must pair them. Checked after the StartupMessage is read
 * and before any backend connection is opened; a failure is FATAL 28000 {@code certificate
 * authentication failed for user "…"}. Needs {@link ClientCertificates} on the route. Immutable.
 */
public final class ClientIdentity {
  /** Where the identity comes from. */
  public enum Source {
    /** The subject's common name: PostgreSQL's default ({@code clientname=CN}). */
    CN,
    /** The whole subject DN in RFC 2253 form, such as {@code CN=alice,O=Acme} ({@code clientname=DN}). */
    DN,
    /** Every subjectAltName dNSName; each is an identity the client holds. */
    SAN_DNS,
    /** Every subjectAltName rfc822Name (e-mail address). */
    SAN_EMAIL,
    /** Every subjectAltName URI, such as a SPIFFE ID {@code spiffe://example.org/ns/app}. */
    SAN_URI
  }

  private final Source source;
  private final Path mapFile;
  private final List<String> mapLines;
  private final String mapName;
  private final String backendSetting;

  private ClientIdentity(Source source, Path mapFile, List<String> mapLines, String mapName, String backendSetting) {
    this.source = source;
    this.mapFile = mapFile;
    this.mapLines = mapLines;
    this.mapName = mapName;
    this.backendSetting = backendSetting;
  }

  /** The identity from {@code source} must equal the user name. */
  public static ClientIdentity from(Source source) {
    return new ClientIdentity(Objects.requireNonNull(source, "source"), null, null, null, null);
  }

  /**
   * Pair identities and users through the lines of map {@code mapName} in a file of
   * {@code pg_ident.conf} syntax ({@code MAPNAME SYSTEM-USERNAME DATABASE-USERNAME}; literal names,
   * {@code /regex} with {@code \1}, {@code all}). Read with the certificates, and again on every
   * certificate reload.
   */
  public ClientIdentity mapFile(Path pgIdentFile, String mapName) {
    return new ClientIdentity(source, Objects.requireNonNull(pgIdentFile, "pgIdentFile"), null,
        Objects.requireNonNull(mapName, "mapName"), backendSetting);
  }

  /** As {@link #mapFile}, with the lines given here instead of a file. */
  public ClientIdentity mapLines(List<String> lines, String mapName) {
    return new ClientIdentity(source, null, List.copyOf(lines), Objects.requireNonNull(mapName, "mapName"),
        backendSetting);
  }

  /**
   * Pass the verified identity to the backend as this run-time setting in the StartupMessage
   * (a custom setting with a dot, such as {@code pgtls.client_identity}), replacing any value the
   * client sent for it. Off by default.
   */
  public ClientIdentity backendSetting(String settingName) {
    return new ClientIdentity(source, mapFile, mapLines, mapName, Objects.requireNonNull(settingName, "settingName"));
  }

  public Source source() {
    return source;
  }

  /** The map file, or null. */
  public Path mapFile() {
    return mapFile;
  }

  /** The inline map lines, or null. */
  public List<String> mapLines() {
    return mapLines;
  }

  /** The map's name, or null without a map. */
  public String mapName() {
    return mapName;
  }

  /** The StartupMessage setting that carries the identity, or null. */
  public String backendSetting() {
    return backendSetting;
  }

  /**
   * Equal when source, map (file path or lines, in order, and name) and backend setting are; the
   * map file is compared by its path as given, never read.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClientIdentity c && c.source == source && Objects.equals(c.mapFile, mapFile)
        && Objects.equals(c.mapLines, mapLines) && Objects.equals(c.mapName, mapName)
        && Objects.equals(c.backendSetting, backendSetting);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, mapFile, mapLines, mapName, backendSetting);
  }

  @Override
  public String toString() {
    return "ClientIdentity{" + source + (mapName == null ? "" : " map=" + mapName + (mapFile != null ? "@" + mapFile
        : " (" + mapLines.size() + " lines)")) + (backendSetting == null ? "" : " backendSetting=" + backendSetting)
        + "}";
  }
}
