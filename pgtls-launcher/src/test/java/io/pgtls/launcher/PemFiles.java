package io.pgtls.launcher;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Writes a self-signed certificate and its key as PEM files, made with the JDK's keytool, for
 * tests that need files the core can load. Not a substitute for the testkit's CA.
 */
final class PemFiles {
  private PemFiles() {}

  /** Writes {@code name.pem} (certificate) and {@code name.key} (PKCS#8 key) into {@code dir}. */
  static void selfSigned(Path dir, String name) throws Exception {
    Path keystore = dir.resolve(name + ".p12");
    char[] password = "changeit".toCharArray();
    keytool("-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
        "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2");
    keytool("-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", "changeit", "-alias", name,
        "-file", dir.resolve(name + ".pem").toString());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(keystore)) {
      ks.load(in, password);
    }
    PrivateKey key = (PrivateKey) ks.getKey(name, password);
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    Files.writeString(dir.resolve(name + ".key"), pem);
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
