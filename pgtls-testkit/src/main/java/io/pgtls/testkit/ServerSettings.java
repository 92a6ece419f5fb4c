package io.pgtls.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The text of the testkit's postgresql.conf include file and of pg_hba.conf. */
final class ServerSettings {

  /** Included from postgresql.conf and rewritten before every start. */
  static final String INCLUDE_FILE = "pgtls-testkit.conf";

  /** Every host line matches connections with and without TLS; hostssl would exclude the latter. */
  static final List<String> DEFAULT_HBA =
      List.of(
          "host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256");

  /** The default lines of a server with a Unix-domain socket: its connections match "local" lines only. */
  static final List<String> DEFAULT_HBA_WITH_SOCKET =
      List.of(
          "local all all scram-sha-256",
          "host all all 127.0.0.1/32 scram-sha-256",
          "host all all ::1/128 scram-sha-256");

  private ServerSettings() {}

  /** The server's TLS files, as copied into the data directory. */
  record Tls(Path certificateFile, Path keyFile, Path caFile) {}

  /**
   * The settings for one start: the defaults, then {@code tls} when present, then {@code extra},
   * which therefore win (in postgresql.conf the last occurrence of a setting counts).
   */
  static Map<String, String> settings(
      int port, boolean ipv6, Tls tls, Path socketDirectory, Map<String, String> extra) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(
        "listen_addresses",
        ipv6
            ? LoopbackPorts.IPV4_LOOPBACK + "," + LoopbackPorts.IPV6_LOOPBACK
            : LoopbackPorts.IPV4_LOOPBACK);
    settings.put("port", Integer.toString(port));
    // No Unix socket unless asked for: the default /var/run/postgresql may not exist or not be
    // writable.
    settings.put(
        "unix_socket_directories", socketDirectory == null ? "" : socketDirectory.toString());
    settings.put("max_connections", "200");
    settings.put("shared_buffers", "32MB");
    // A throwaway cluster: durability buys nothing and costs seconds per test class.
    settings.put("fsync", "off");
    settings.put("synchronous_commit", "off");
    settings.put("full_page_writes", "off");
    settings.put("password_encryption", "scram-sha-256");
    if (tls != null) {
      settings.put("ssl", "on");
      settings.put("ssl_cert_file", tls.certificateFile().toString());
      settings.put("ssl_key_file", tls.keyFile().toString());
      if (tls.caFile() != null) {
        settings.put("ssl_ca_file", tls.caFile().toString());
      }
    } else {
      settings.put("ssl", "off");
    }
    settings.putAll(extra);
    return settings;
  }

  /** Every value quoted: postgresql.conf accepts a quoted string for settings of any type. */
  static String render(Map<String, String> settings) {
    StringBuilder text = new StringBuilder("# Written by pgtls-testkit before every start.\n");
    settings.forEach(
        (name, value) ->
            text.append(name).append(" = '").append(value.replace("'", "''")).append("'\n"));
    return text.toString();
  }

  static String hba(List<String> lines) {
    List<String> all = new ArrayList<>();
    all.add("# Written by pgtls-testkit. TYPE DATABASE USER ADDRESS METHOD");
    all.addAll(lines);
    return String.join("\n", all) + "\n";
  }

  static String ident(List<String> lines) {
    List<String> all = new ArrayList<>();
    all.add("# Written by pgtls-testkit. MAPNAME SYSTEM-USERNAME PG-USERNAME");
    all.addAll(lines);
    return String.join("\n", all) + "\n";
  }
}
