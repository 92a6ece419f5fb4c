package io.pgtls.internal.pg;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes a PostgreSQL v3 ErrorResponse ('E', Int32 length, fields, NUL) as pgtls's own answer to
 * a client it refuses. psql prints the message, the DETAIL and the HINT; drivers expose the
 * SQLSTATE (pgjdbc's sslmode=allow, for one, retries over TLS only after 28000).
 */
public final class ErrorResponse {
  /** invalid_authorization_specification: what PostgreSQL answers for a pg_hba "no encryption" refusal. */
  public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
  /** protocol_violation. */
  public static final String PROTOCOL_VIOLATION = "08P01";
  /** connection_failure: the backend could not be reached or verified. */
  public static final String CONNECTION_FAILURE = "08006";
  /** sqlclient_unable_to_establish_sqlconnection. */
  public static final String UNABLE_TO_ESTABLISH_CONNECTION = "08001";
  /** feature_not_supported. */
  public static final String FEATURE_NOT_SUPPORTED = "0A000";
  /** too_many_connections. */
  public static final String TOO_MANY_CONNECTIONS = "53300";
  /** admin_shutdown: what PostgreSQL says to a session pg_terminate_backend ends. */
  public static final String ADMIN_SHUTDOWN = "57P01";

  private ErrorResponse() {}

  /** A FATAL ErrorResponse; {@code detail} and {@code hint} may be null. */
  public static byte[] fatal(String sqlstate, String message, String detail, String hint) {
    ByteArrayOutputStream fields = new ByteArrayOutputStream();
    field(fields, 'S', "FATAL");
    field(fields, 'V', "FATAL"); // non-localized severity, PostgreSQL 9.6+
    field(fields, 'C', sqlstate);
    field(fields, 'M', message);
    if (detail != null) {
      field(fields, 'D', detail);
    }
    if (hint != null) {
      field(fields, 'H', hint);
    }
    fields.write(0);
    byte[] body = fields.toByteArray();
    byte[] out = new byte[1 + 4 + body.length];
    out[0] = 'E';
    int len = 4 + body.length;
    out[1] = (byte) (len >>> 24);
    out[2] = (byte) (len >>> 16);
    out[3] = (byte) (len >>> 8);
    out[4] = (byte) len;
    System.arraycopy(body, 0, out, 5, body.length);
    return out;
  }

  private static void field(ByteArrayOutputStream out, char type, String value) {
    out.write(type);
    // A NUL inside a value would end the field early: PostgreSQL strings cannot carry one.
    byte[] b = value.replace('\0', ' ').getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
    out.write(0);
  }
}
