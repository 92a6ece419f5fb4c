package io.pgtls.tls;

import java.util.Locale;
import java.util.Map;

/**
 * One {@code -----BEGIN label-----} ... {@code -----END label-----} block.
 *
 * @param label   the text after BEGIN, e.g. {@code CERTIFICATE} or {@code RSA PRIVATE KEY}
 * @param headers RFC 1421 headers such as {@code Proc-Type} (empty for modern files)
 * @param der     the decoded base64 body
 * @param line    the 1-based line of the BEGIN line, for messages
 */
record PemBlock(String label, Map<String, String> headers, byte[] der, int line) {

  /** {@code BEGIN RSA PRIVATE KEY (line 3)}, the way operators see it in the file. */
  String describe() {
    return "BEGIN " + label + " (line " + line + ")";
  }

  /** Legacy OpenSSL encryption: {@code Proc-Type: 4,ENCRYPTED} before the body. */
  boolean hasEncryptedHeader() {
    String procType = headers.get("Proc-Type");
    return procType != null && procType.toUpperCase(Locale.ROOT).contains("ENCRYPTED");
  }
}
