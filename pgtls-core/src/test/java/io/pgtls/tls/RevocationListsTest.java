package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgtls.tls.RevocationLists.WhenExpired;
import io.pgtls.tls.TestPki.Issued;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Client certificates checked against CRLs in real handshakes, as PostgreSQL's ssl_crl_file checks them. */
class RevocationListsTest {

  private static final Instant NEXT_WEEK = Instant.now().plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS);

  @TempDir
  static Path dir;

  private static Issued ca;
  private static Issued intermediate;
  private static Issued alice;
  private static Issued bob;
  private static Issued carol;
  private static TrustMaterial caTrust;
  private static TlsMaterial server;
  private static TlsMaterial aliceIdentity;
  private static TlsMaterial bobIdentity;
  private static TlsMaterial carolIdentity;
  private static int files;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestPki.ca("pgtls CRL test CA");
    intermediate = TestPki.intermediate(ca, "pgtls CRL test intermediate");
    caTrust = TrustMaterial.load(TestPki.writeCertificates(dir.resolve("ca.crt"), ca));
    Issued localhost = TestPki.server(ca, "localhost", "localhost");
    server = identity("server", localhost);
    alice = TestPki.client(ca, "alice");
    bob = TestPki.client(ca, "bob");
    carol = TestPki.client(intermediate, "carol");
    aliceIdentity = identity("alice", alice);
    bobIdentity = identity("bob", bob);
    carolIdentity = identity("carol", carol, intermediate);
  }

  private static TlsMaterial identity(String name, Issued leaf, Issued... issuers) throws TlsMaterialException {
    Issued[] chain = new Issued[issuers.length + 1];
    chain[0] = leaf;
    System.arraycopy(issuers, 0, chain, 1, issuers.length);
    return TlsMaterial.load(TestPki.writeCertificates(dir.resolve(name + ".crt"), chain),
        TestPki.writePkcs8Key(dir.resolve(name + ".key"), leaf));
  }

  private static Path pem(X509CRL... crls) {
    return TestPki.writeCrls(dir.resolve("crl-" + ++files + ".pem"), crls);
  }

  private static RevocationLists load(WhenExpired whenExpired, Path... crlFiles) throws TlsMaterialException {
    return RevocationLists.load(List.of(crlFiles), caTrust, whenExpired);
  }

  private static void handshake(RevocationLists revocation, TlsMaterial client) throws Exception {
    SSLEngine serverEngine = TlsContexts.serverEngine(TlsContexts.server(server, caTrust, revocation), true, null);
    SSLEngine clientEngine = TlsContexts.clientEngine(TlsContexts.client(caTrust, client), "localhost", 5432, true,
        null);
    EnginePump.handshake(clientEngine, serverEngine);
  }

  @Test
  void revokedClientIsRefusedWhileAnotherClientOfTheSameCaPasses() throws Exception {
    RevocationLists revocation = load(WhenExpired.FAIL_CLOSED, pem(TestPki.crl(ca, NEXT_WEEK, alice)));

    assertThatThrownBy(() -> handshake(revocation, aliceIdentity))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageStartingWith("serial " + alice.certificate().getSerialNumber().toString(16).toUpperCase()
            + " of CN=alice is revoked by the CRL of CN=pgtls CRL test CA in ")
        .hasMessageContaining("reason key_compromise");
    assertThatCode(() -> handshake(revocation, bobIdentity)).doesNotThrowAnyException();
  }

  @Test
  void clientWithoutCertificateStillCompletesTheHandshakeWhenCrlsAreSet() throws Exception {
    RevocationLists revocation = load(WhenExpired.FAIL_CLOSED, pem(TestPki.crl(ca, NEXT_WEEK, alice)));

    handshake(revocation, null);
  }

  @Test
  void expiredCrlFailsClosedRatherThanPassingEveryCertificate() throws Exception {
    Instant expired = Instant.now().minus(Duration.ofSeconds(30));
    X509CRL stale = TestPki.crl(ca.certificate(), ca.privateKey(), expired.minus(Duration.ofDays(1)), expired);
    RevocationLists revocation = load(WhenExpired.FAIL_CLOSED, pem(stale));

    assertThatThrownBy(() -> handshake(revocation, bobIdentity))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessageStartingWith("the CRL of CN=pgtls CRL test CA in ")
        .hasMessageContaining(" expired at " + expired.truncatedTo(ChronoUnit.SECONDS))
        .hasMessageContaining("so CN=bob cannot be checked");
  }

  @Test
  void expiredCrlIsAppliedWithAWarningWhenAllowedAndStillRefusesItsRevokedSerials() throws Exception {
    Instant expired = Instant.now().minus(Duration.ofSeconds(30));
    X509CRL stale = TestPki.crl(ca.certificate(), ca.privateKey(), expired.minus(Duration.ofDays(1)), expired, alice);
    RevocationLists revocation = load(WhenExpired.USE_AND_WARN, pem(stale));
    ListAppender<ILoggingEvent> log = capture();
    try {
      handshake(revocation, bobIdentity);
      handshake(revocation, bobIdentity);
      assertThatThrownBy(() -> handshake(revocation, aliceIdentity)).hasMessageContaining("is revoked by the CRL");
    } finally {
      release(log);
    }

    assertThat(log.list).hasSize(1);
    assertThat(log.list.get(0).getFormattedMessage()).startsWith("applying the CRL of CN=pgtls CRL test CA in ")
        .contains("although it expired at");
  }

  @Test
  void chainThroughAnIntermediateNeedsTheIntermediatesCrlToo() throws Exception {
    Path rootOnly = pem(TestPki.crl(ca, NEXT_WEEK));
    assertThatThrownBy(() -> handshake(load(WhenExpired.FAIL_CLOSED, rootOnly), carolIdentity))
        .isInstanceOf(SSLHandshakeException.class)
        .hasMessage("no CRL for issuer CN=pgtls CRL test intermediate of CN=carol in this route's client_crl files");

    Path intermediateOnly = pem(TestPki.crl(intermediate, NEXT_WEEK));
    assertThatThrownBy(() -> handshake(load(WhenExpired.FAIL_CLOSED, intermediateOnly), carolIdentity))
        .hasMessage("no CRL for issuer CN=pgtls CRL test CA of CN=pgtls CRL test intermediate in this route's "
            + "client_crl files");

    handshake(load(WhenExpired.FAIL_CLOSED, rootOnly, intermediateOnly), carolIdentity);
  }

  @Test
  void revokedIntermediateRefusesTheClientsItIssued() throws Exception {
    Path intermediateRevoked = pem(TestPki.crl(ca, NEXT_WEEK, intermediate), TestPki.crl(intermediate, NEXT_WEEK));

    assertThatThrownBy(() -> handshake(load(WhenExpired.FAIL_CLOSED, intermediateRevoked), carolIdentity))
        .hasMessageContaining(" of CN=pgtls CRL test intermediate is revoked by the CRL of CN=pgtls CRL test CA");
  }

  @Test
  void intermediateCrlSignedByAnotherKeyIsNoCrlAtAll() throws Exception {
    X509CRL forged = TestPki.crl(intermediate.certificate(), TestPki.rsa().getPrivate(),
        Instant.now().minus(Duration.ofMinutes(1)), NEXT_WEEK);
    RevocationLists revocation = load(WhenExpired.FAIL_CLOSED, pem(TestPki.crl(ca, NEXT_WEEK), forged));

    assertThatThrownBy(() -> handshake(revocation, carolIdentity))
        .hasMessage("no CRL for issuer CN=pgtls CRL test intermediate of CN=carol in this route's client_crl files "
            + "(1 CRL names that issuer, but none is signed by its key)");
  }

  @Test
  void pemFileWithTwoCrlsAndDerFileBothLoad() throws Exception {
    Instant soon = NEXT_WEEK.minus(Duration.ofDays(3));
    Path both = pem(TestPki.crl(ca, NEXT_WEEK, bob), TestPki.crl(intermediate, soon));
    Path der = TestPki.writeDer(dir.resolve("ca.crl"), TestPki.crl(ca, NEXT_WEEK, alice));

    RevocationLists fromPem = load(WhenExpired.FAIL_CLOSED, both);
    RevocationLists fromDer = load(WhenExpired.FAIL_CLOSED, der);

    assertThat(fromPem.nextUpdates()).containsExactly(Map.entry(both, soon));
    assertThat(fromDer.nextUpdates()).containsExactly(Map.entry(der, NEXT_WEEK));
    handshake(fromPem, carolIdentity);
    assertThatThrownBy(() -> handshake(fromPem, bobIdentity)).hasMessageContaining("is revoked");
    handshake(fromDer, bobIdentity);
    assertThatThrownBy(() -> handshake(fromDer, aliceIdentity)).hasMessageContaining("is revoked");
  }

  @Test
  void crlWithoutNextUpdateNeverExpires() throws Exception {
    Path file = pem(TestPki.crl(ca.certificate(), ca.privateKey(), Instant.now().minus(Duration.ofMinutes(1)), null));

    RevocationLists revocation = load(WhenExpired.FAIL_CLOSED, file);

    assertThat(revocation.nextUpdates()).containsEntry(file, Instant.MAX);
    handshake(revocation, bobIdentity);
  }

  @Test
  void newestCrlOfAnIssuerDecidesOverAnOlderOneStillCurrent() throws Exception {
    Instant lastWeek = Instant.now().minus(Duration.ofDays(7));
    X509CRL older = TestPki.crl(ca.certificate(), ca.privateKey(), lastWeek, NEXT_WEEK);
    X509CRL newer = TestPki.crl(ca.certificate(), ca.privateKey(), Instant.now().minus(Duration.ofMinutes(1)),
        NEXT_WEEK, alice);

    assertThatThrownBy(() -> handshake(load(WhenExpired.FAIL_CLOSED, pem(older, newer)), aliceIdentity))
        .hasMessageContaining("is revoked");
    assertThatThrownBy(() -> handshake(load(WhenExpired.FAIL_CLOSED, pem(newer, older)), aliceIdentity))
        .hasMessageContaining("is revoked");
  }

  @Test
  void crlOfTheClientCaSignedByAnotherKeyIsALoadError() {
    X509CRL forged = TestPki.crl(ca.certificate(), TestPki.rsa().getPrivate(),
        Instant.now().minus(Duration.ofMinutes(1)), NEXT_WEEK);
    Path file = pem(forged);

    assertThatThrownBy(() -> load(WhenExpired.FAIL_CLOSED, file))
        .isInstanceOf(TlsMaterialException.class)
        .hasMessageStartingWith("cannot use the CRL of CN=pgtls CRL test CA in " + MaterialFile.display(file)
            + ": it is not signed by the key of the client_ca certificate CN=pgtls CRL test CA");
  }

  @Test
  void fileWithoutCrlIsALoadErrorNamingTheFile() {
    Path text = TestPki.write(dir.resolve("notes.txt"), "revocation lists go here\n");
    Path certificate = TestPki.writeCertificates(dir.resolve("not-a-crl.pem"), ca);
    Path missing = dir.resolve("missing.crl");

    assertThatThrownBy(() -> load(WhenExpired.FAIL_CLOSED, text))
        .hasMessage("cannot read certificate revocation lists from " + MaterialFile.display(text)
            + ": no CRL in the file (expected BEGIN X509 CRL blocks, or DER); the file contains no PEM blocks");
    assertThatThrownBy(() -> load(WhenExpired.FAIL_CLOSED, certificate))
        .hasMessage("cannot read certificate revocation lists from " + MaterialFile.display(certificate)
            + ": no CRL in the file (expected BEGIN X509 CRL blocks, or DER); found BEGIN CERTIFICATE (line 1)");
    assertThatThrownBy(() -> load(WhenExpired.FAIL_CLOSED, missing))
        .hasMessage("cannot read certificate revocation lists from " + MaterialFile.display(missing)
            + ": file does not exist");
  }

  @Test
  void garbledCrlBlockIsALoadErrorNamingTheBlock() {
    Path file = TestPki.write(dir.resolve("garbled.pem"),
        "Certificate Revocation List (CRL):\n-----BEGIN X509 CRL-----\nMAMCAQA=\n-----END X509 CRL-----\n");

    assertThatThrownBy(() -> load(WhenExpired.FAIL_CLOSED, file))
        .hasMessageStartingWith("cannot read certificate revocation lists from " + MaterialFile.display(file)
            + ": the BEGIN X509 CRL (line 2) block is not a valid X.509 CRL: ");
  }

  @Test
  void deltaCrlIsALoadErrorBecauseAloneItListsOnlyTheLatestRevocations() {
    X509CRL delta = TestPki.crl(ca.certificate(), ca.privateKey(), Instant.now().minus(Duration.ofMinutes(1)),
        NEXT_WEEK, builder -> builder.addExtension(Extension.deltaCRLIndicator, true, new CRLNumber(BigInteger.ONE)));
    Path file = pem(delta);

    assertThatThrownBy(() -> load(WhenExpired.FAIL_CLOSED, file))
        .hasMessage("cannot use the CRL of CN=pgtls CRL test CA in " + MaterialFile.display(file)
            + ": it is a delta CRL, which pgtls does not apply; give the complete (base) CRL");
  }

  @Test
  void crlLimitedToPartOfItsCasCertificatesIsALoadErrorNotAFalsePass() {
    X509CRL userOnly = TestPki.crl(ca.certificate(), ca.privateKey(), Instant.now().minus(Duration.ofMinutes(1)),
        NEXT_WEEK, builder -> builder.addExtension(Extension.issuingDistributionPoint, true,
            new IssuingDistributionPoint(null, true, false, null, false, false)));
    Path file = pem(userOnly);

    assertThatThrownBy(() -> load(WhenExpired.FAIL_CLOSED, file))
        .hasMessageContaining("its issuingDistributionPoint limits it to part of the CA's certificates");
  }

  @Test
  void crlWhoseIssuingDistributionPointOnlyNamesItsLocationIsUsed() throws Exception {
    DistributionPointName where = new DistributionPointName(new GeneralNames(
        new GeneralName(GeneralName.uniformResourceIdentifier, "http://crl.example/ca.crl")));
    X509CRL located = TestPki.crl(ca.certificate(), ca.privateKey(), Instant.now().minus(Duration.ofMinutes(1)),
        NEXT_WEEK, builder -> builder.addExtension(Extension.issuingDistributionPoint, true,
            new IssuingDistributionPoint(where, false, false, null, false, false)), alice);

    RevocationLists revocation = load(WhenExpired.FAIL_CLOSED, pem(located));

    assertThatThrownBy(() -> handshake(revocation, aliceIdentity)).hasMessageContaining("is revoked");
    handshake(revocation, bobIdentity);
  }

  @Test
  void revocationListsWithoutAClientCaAreRefused() {
    assertThatThrownBy(() -> TlsContexts.server(server, null,
        load(WhenExpired.FAIL_CLOSED, pem(TestPki.crl(ca, NEXT_WEEK)))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(RevocationLists.class)).addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(RevocationLists.class)).detachAppender(appender);
  }
}
