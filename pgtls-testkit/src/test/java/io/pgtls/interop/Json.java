package io.pgtls.interop;

import java.util.Map;
import java.util.stream.Collectors;

/** Just enough JSON to hand a flat configuration to a node or Python client script. */
final class Json {
  private Json() {}

  static String object(Map<String, ?> fields) {
    return fields.entrySet().stream()
        .map(f -> string(f.getKey()) + ":" + value(f.getValue()))
        .collect(Collectors.joining(",", "{", "}"));
  }

  private static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    return string(v.toString());
  }

  static String string(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
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
}
