package io.pgtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Equality of the TLS settings, {@link ListenerTls}, {@link ClientCertificates} and {@link
 * BackendTls}: every field counts, paths compare as written and files are never read.
 */
class TlsEqualityTest {
  private static final Path CERT = Path.of("/etc/pgtls/server.crt");
  private static final Path KEY = Path.of("/etc/pgtls/server.key");
  private static final Path CLIENT_CA = Path.of("/etc/pgtls/client-ca.pem");
  private static final Path CRL = Path.of("/etc/pgtls/client.crl");

  private static ClientCertificates clientCertificates() {
    return ClientCertificates.required(CLIENT_CA).revocationLists(CRL).allowExpiredRevocationLists(true);
  }

  private static ListenerTls listenerTls() {
    return ListenerTls.pem(CERT, KEY).clientCertificates(clientCertificates()).protocols("TLSv1.3")
        .cipherSuites("TLS_AES_256_GCM_SHA384");
  }

  @TestFactory
  Stream<DynamicTest> listenerTlsCountsEveryField() {
    return EqualityTable.of(ListenerTls.class, TlsEqualityTest::listenerTls)
        .same("with its settings in another order", () -> ListenerTls.pem(CERT, KEY)
            .cipherSuites("TLS_AES_256_GCM_SHA384").protocols("TLSv1.3").clientCertificates(clientCertificates()))
        .same("from equal but not identical paths", () -> ListenerTls.pem(Path.of("/etc/pgtls", "server.crt"),
                Path.of("/etc//pgtls/server.key")).clientCertificates(clientCertificates()).protocols("TLSv1.3")
            .cipherSuites("TLS_AES_256_GCM_SHA384"))
        .differs("certificateChain", "another path", () -> ListenerTls.pem(Path.of("/etc/pgtls/new.crt"), KEY)
            .clientCertificates(clientCertificates()).protocols("TLSv1.3").cipherSuites("TLS_AES_256_GCM_SHA384"))
        .differs("privateKey", "another path", () -> ListenerTls.pem(CERT, Path.of("/etc/pgtls/new.key"))
            .clientCertificates(clientCertificates()).protocols("TLSv1.3").cipherSuites("TLS_AES_256_GCM_SHA384"))
        .differs("clientCertificates", "left out", () -> ListenerTls.pem(CERT, KEY).protocols("TLSv1.3")
            .cipherSuites("TLS_AES_256_GCM_SHA384"))
        .differs("clientCertificates", "optional", () -> listenerTls()
            .clientCertificates(ClientCertificates.optional(CLIENT_CA).revocationLists(CRL)
                .allowExpiredRevocationLists(true)))
        .differs("protocols", "with TLSv1.2 too", () -> listenerTls().protocols("TLSv1.3", "TLSv1.2"))
        .differs("cipherSuites", "the default set", () -> listenerTls().cipherSuites(new String[0]))
        .tests();
  }

  @Test
  void aRelativePathIsNotTheAbsoluteOneItMayResolveTo() {
    // Comparing as written: resolving would read the file system, and the working directory can change.
    Path relative = Path.of("server.crt");
    Path absolute = relative.toAbsolutePath();
    assertThat(ListenerTls.pem(relative, KEY)).isNotEqualTo(ListenerTls.pem(absolute, KEY));
  }

  @TestFactory
  Stream<DynamicTest> clientCertificatesCountEveryField() {
    return EqualityTable.of(ClientCertificates.class, TlsEqualityTest::clientCertificates)
        .same("with the revocation lists as a list", () -> ClientCertificates.required(CLIENT_CA)
            .revocationLists(List.of(CRL)).allowExpiredRevocationLists(true))
        .same("through ListenerTls.requireClientCertificates", () -> ListenerTls.pem(CERT, KEY)
            .requireClientCertificates(CLIENT_CA).clientCertificates().orElseThrow().revocationLists(CRL)
            .allowExpiredRevocationLists(true))
        .differs("mode", "optional", () -> ClientCertificates.optional(CLIENT_CA).revocationLists(CRL)
            .allowExpiredRevocationLists(true))
        .differs("ca", "another path", () -> ClientCertificates.required(Path.of("/etc/pgtls/other-ca.pem"))
            .revocationLists(CRL).allowExpiredRevocationLists(true))
        .differs("revocationLists", "none", () -> clientCertificates().revocationLists(List.of()))
        .differs("revocationLists", "one more", () -> clientCertificates()
            .revocationLists(CRL, Path.of("/etc/pgtls/intermediate.crl")))
        .differs("allowExpiredRevocationLists", "false", () -> clientCertificates().allowExpiredRevocationLists(false))
        .tests();
  }

  private static BackendTls backendTls() {
    return BackendTls.verifyFull(Path.of("/etc/pgtls/root.crt"))
        .clientCertificate(Path.of("/etc/pgtls/pgtls.crt"), Path.of("/etc/pgtls/pgtls.key")).serverName("db.internal");
  }

  @TestFactory
  Stream<DynamicTest> backendTlsCountsEveryField() {
    return EqualityTable.of(BackendTls.class, TlsEqualityTest::backendTls)
        .same("with its root CA set afterwards", () -> BackendTls.verifyFull()
            .clientCertificate(Path.of("/etc/pgtls/pgtls.crt"), Path.of("/etc/pgtls/pgtls.key"))
            .serverName("db.internal").rootCa(Path.of("/etc/pgtls/root.crt")))
        .differs("rootCa", "another path", () -> backendTls().rootCa(Path.of("/etc/pgtls/other-root.crt")))
        .differs("rootCa", "the JDK's trust store", () -> backendTls().rootCa(null))
        .differs("clientCertificate", "another path", () -> backendTls()
            .clientCertificate(Path.of("/etc/pgtls/new.crt"), Path.of("/etc/pgtls/pgtls.key")))
        .differs("clientKey", "another path", () -> backendTls()
            .clientCertificate(Path.of("/etc/pgtls/pgtls.crt"), Path.of("/etc/pgtls/new.key")))
        .differs("serverName", "another name", () -> backendTls().serverName("db2.internal"))
        .differs("verification", "verify-ca", () -> backendTls().verifyCaOnly())
        .differs("direct", "direct TLS", () -> backendTls().directTls())
        .changedElsewhere("enabled", "disabledIsNotVerifyFullWithNothingElseSet")
        .tests();
  }

  @Test
  void disabledIsNotVerifyFullWithNothingElseSet() {
    // Every other field of the two is at its default: only enabled tells them apart.
    assertThat(BackendTls.disabled()).isNotEqualTo(BackendTls.verifyFull());
    assertThat(BackendTls.verifyFull()).isNotEqualTo(BackendTls.disabled());
    assertThat(BackendTls.disabled().hashCode()).isNotEqualTo(BackendTls.verifyFull().hashCode());
  }
}
