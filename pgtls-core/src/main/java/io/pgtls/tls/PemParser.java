package io.pgtls.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits PEM text into its blocks. Text outside blocks is ignored: openssl writes
 * "Bag Attributes", "subject=" and "issuer=" lines between certificates.
 */
final class PemParser {

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  private PemParser() {
  }

  static List<PemBlock> parse(String text) throws MaterialProblem {
    String[] lines = text.split("\r\n|\r|\n", -1);
    List<PemBlock> blocks = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      String line = lines[i].strip();
      i++;
      if (!(line.startsWith(BEGIN) && line.endsWith(DASHES) && line.length() > BEGIN.length() + DASHES.length())) {
        continue;
      }
      int beginLine = i;
      String label = line.substring(BEGIN.length(), line.length() - DASHES.length());
      String endMarker = END + label + DASHES;
      Map<String, String> headers = new LinkedHashMap<>();
      StringBuilder base64 = new StringBuilder();
      boolean inHeaders = true;
      String lastHeader = null;
      boolean ended = false;
      while (i < lines.length) {
        String raw = lines[i];
        String body = raw.strip();
        i++;
        if (body.equals(endMarker)) {
          ended = true;
          break;
        }
        if (body.startsWith(END) || body.startsWith(BEGIN)) {
          throw new MaterialProblem("the BEGIN " + label + " block at line " + beginLine
              + " ends with \"" + body + "\" at line " + i + " instead of \"" + endMarker + "\"");
        }
        if (inHeaders) {
          if (lastHeader != null && !raw.isEmpty() && Character.isWhitespace(raw.charAt(0)) && !body.isEmpty()) {
            headers.merge(lastHeader, body, (a, b) -> a + b); // RFC 1421 continuation line
            continue;
          }
          int colon = body.indexOf(':');
          if (colon > 0) {
            lastHeader = body.substring(0, colon).strip();
            headers.put(lastHeader, body.substring(colon + 1).strip());
            continue;
          }
          if (body.isEmpty()) {
            inHeaders = headers.isEmpty(); // a blank line ends the header section
            continue;
          }
          inHeaders = false;
        }
        base64.append(body.replaceAll("\\s", ""));
      }
      if (!ended) {
        throw new MaterialProblem("the BEGIN " + label + " block at line " + beginLine
            + " has no \"" + endMarker + "\" line (is the file truncated?)");
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(base64.toString());
      } catch (IllegalArgumentException e) {
        throw new MaterialProblem("the BEGIN " + label + " block at line " + beginLine
            + " is not valid base64: " + e.getMessage(), e);
      }
      if (der.length == 0) {
        throw new MaterialProblem("the BEGIN " + label + " block at line " + beginLine + " is empty");
      }
      blocks.add(new PemBlock(label, Map.copyOf(headers), der, beginLine));
    }
    return blocks;
  }
}
