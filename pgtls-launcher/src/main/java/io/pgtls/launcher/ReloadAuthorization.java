package io.pgtls.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Who may {@code POST /reload}. With a token configured ({@code [admin] reload_token_file}) a
 * request must present it as {@code Authorization: Bearer <token>}, wherever the endpoint is bound,
 * loopback included: configuring a token is asking for it. Without one, only an endpoint bound to
 * a loopback address accepts the request, since only local processes can reach it. The token is
 * compared in constant time.
 */
final class ReloadAuthorization {
  private static final String BEARER = "Bearer ";

  private final Optional<byte[]> token;
  private final boolean loopbackBound;

  private ReloadAuthorization(Optional<byte[]> token, boolean loopbackBound) {
    this.token = token;
    this.loopbackBound = loopbackBound;
  }

  static ReloadAuthorization of(Optional<String> token, boolean loopbackBound) {
    return new ReloadAuthorization(token.map(t -> t.getBytes(StandardCharsets.UTF_8)), loopbackBound);
  }

  /** The token in {@code file}: its text without surrounding whitespace (a trailing newline); never empty. */
  static String readToken(Path file) throws IOException {
    String token = Files.readString(file).strip();
    if (token.isEmpty()) {
      throw new IOException(file + " is empty; it must hold the token POST /reload presents");
    }
    return token;
  }

  /** Whether a request with this {@code Authorization} header (absent: none sent) may reload. */
  boolean permits(Optional<String> authorization) {
    if (token.isEmpty()) {
      return loopbackBound;
    }
    if (authorization.isEmpty() || !authorization.get().startsWith(BEARER)) {
      return false;
    }
    byte[] presented = authorization.get().substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, token.get());
  }

  /** Why a refused request was refused, for the 403 answer. */
  String refusal() {
    return token.isPresent()
        ? "POST /reload needs the token of reload_token_file as Authorization: Bearer <token>\n"
        : "POST /reload is accepted only on a loopback admin endpoint, or with [admin] reload_token_file\n";
  }
}
