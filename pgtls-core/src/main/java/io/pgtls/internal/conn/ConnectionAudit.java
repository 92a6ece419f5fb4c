package io.pgtls.internal.conn;

import io.pgtls.internal.tls.TlsSession;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The audit event of one connection: filled in by the driver as the connection learns who it is
 * (address, route, TLS, client certificate, StartupMessage, decision, backend) and written once,
 * when it closes, to the logger {@value #LOGGER} at INFO. Every event has the same keys, in the
 * same order ({@link #KEYS}); an unknown value is "". The message carries them as {@code key=value}
 * text, and each is also an SLF4J key-value pair, which a JSON encoder writes as fields.
 */
final class ConnectionAudit {
  static final String LOGGER = "io.pgtls.audit";
  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

  /** The stable key set, in order. */
  static final List<String> KEYS = List.of("event", "conn_id", "client_address", "peer_address", "proxy_header",
      "listener", "route", "server_name",
      "tls_version", "tls_cipher", "client_cert_subject", "client_cert_san", "client_cert_serial",
      "client_cert_sha256", "client_cert_not_after", "identity", "map_line", "user", "database", "application_name",
      "decision", "reason", "backend_address", "bytes_client_to_backend", "bytes_backend_to_client", "duration_ms",
      "closed_by");

  /** What pgtls decided about the connection. */
  enum Decision {
    /** Relayed as a session. */
    ACCEPTED("accepted"),
    /** Refused by pgtls (after or without TLS), with a reason label. */
    REFUSED("refused"),
    /** The client's TLS handshake failed (or timed out). */
    HANDSHAKE_FAILED("handshake_failed"),
    /** A CancelRequest, forwarded (or attempted). */
    CANCEL("cancel"),
    /** The connection ended before pgtls decided anything (the client left). */
    NONE("none");

    final String label;

    Decision(String label) {
      this.label = label;
    }
  }

  /** Who ended the connection. */
  enum ClosedBy {
    CLIENT("client"),
    BACKEND("backend"),
    PGTLS("pgtls");

    final String label;

    ClosedBy(String label) {
      this.label = label;
    }
  }

  private final Map<String, String> values = new LinkedHashMap<>();
  private Decision decision = Decision.NONE;
  private String admissionReason = "";

  /** A connection from TCP peer {@code peerAddress}, until {@link #source} says who the client is. */
  ConnectionAudit(long connectionId, String peerAddress, String listener) {
    for (String key : KEYS) {
      values.put(key, "");
    }
    values.put("event", "connection");
    values.put("conn_id", Long.toString(connectionId));
    values.put("client_address", peerAddress);
    values.put("peer_address", peerAddress);
    values.put("listener", listener);
  }

  /** The real client ({@code proxyHeader}: the PROXY protocol header that named it, or ""). */
  void source(String clientAddress, String proxyHeader) {
    values.put("client_address", clientAddress);
    values.put("proxy_header", proxyHeader);
  }

  void route(String route, String serverName) {
    values.put("route", route);
    values.put("server_name", serverName == null ? "" : serverName);
  }

  /** The client's TLS session, once its handshake is done. */
  void clientTls(TlsSession tls) {
    values.put("tls_version", tls.protocol());
    values.put("tls_cipher", tls.cipherSuite());
    X509Certificate certificate = tls.peerCertificate();
    if (certificate != null) {
      values.put("client_cert_subject", certificate.getSubjectX500Principal().getName());
      values.put("client_cert_san", subjectAltNames(certificate));
      values.put("client_cert_serial", certificate.getSerialNumber().toString(16));
      values.put("client_cert_sha256", sha256(certificate));
      values.put("client_cert_not_after", certificate.getNotAfter().toInstant().toString());
    }
  }

  void request(SessionRequest request) {
    values.put("user", request.user());
    values.put("database", request.database());
    values.put("application_name", request.applicationName());
  }

  /** What the admission check found; {@code reason} becomes the reason of an accepted session. */
  void identity(String identity, String mapLine, String reason) {
    values.put("identity", identity);
    values.put("map_line", mapLine);
    admissionReason = reason;
  }

  /** The session is relayed. */
  void accepted() {
    decided(Decision.ACCEPTED, admissionReason.isEmpty() ? "relayed" : admissionReason);
  }

  void decided(Decision decision, String reason) {
    this.decision = decision;
    values.put("decision", decision.label);
    values.put("reason", reason);
  }

  Decision decision() {
    return decision;
  }

  void backend(String address) {
    values.put("backend_address", address);
  }

  /** Writes the event; call once, when the connection has closed. */
  void closed(long clientToBackend, long backendToClient, long millis, ClosedBy closedBy) {
    if (decision == Decision.NONE) {
      values.put("decision", Decision.NONE.label);
    }
    values.put("bytes_client_to_backend", Long.toString(clientToBackend));
    values.put("bytes_backend_to_client", Long.toString(backendToClient));
    values.put("duration_ms", Long.toString(millis));
    values.put("closed_by", closedBy.label);
    if (!LOG.isInfoEnabled()) {
      return;
    }
    LoggingEventBuilder event = LOG.atInfo();
    StringBuilder text = new StringBuilder("connection");
    for (Map.Entry<String, String> e : values.entrySet()) {
      event = event.addKeyValue(e.getKey(), e.getValue());
      if (!e.getKey().equals("event")) {
        text.append(' ').append(e.getKey()).append('=').append(quoted(e.getValue()));
      }
    }
    event.log(text.toString());
  }

  /** The event's values so far, in key order. */
  Map<String, String> values() {
    return Map.copyOf(values);
  }

  /** A value with blanks, quotes or nothing in it is quoted, so the text splits on blanks. */
  static String quoted(String value) {
    if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '"' || c == '\\' || c < 0x20)) {
      return value;
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static String subjectAltNames(X509Certificate certificate) {
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans == null) {
        return "";
      }
      List<String> names = new ArrayList<>();
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        String prefix = type == 1 ? "email:" : type == 2 ? "DNS:" : type == 6 ? "URI:" : type == 7 ? "IP:" : null;
        if (prefix != null && san.get(1) instanceof String) {
          names.add(prefix + san.get(1));
        }
      }
      return String.join(",", names);
    } catch (CertificateParsingException e) {
      return "";
    }
  }

  private static String sha256(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "audit" + values;
  }
}
