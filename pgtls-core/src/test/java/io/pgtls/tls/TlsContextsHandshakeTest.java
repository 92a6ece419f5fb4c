package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.tls.TestPki.Issued;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsHandshakeTest {

  private static final int PORT = 5432;

  @TempDir
  static Path dir;

  private static Issued ca;
  private static Issued alice;
  private static TrustMaterial caTrust;
  private static TlsMaterial localhostServer;
  private static TlsMaterial otherHostServer;
  private static TlsMaterial aliceIdentity;
  private static TlsMaterial malloryIdentity;
  private static TlsMaterial foreignServer;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestPki.ca("pgtls test CA");
    Issued otherCa = TestPki.ca("some other CA");
    caTrust = TrustMaterial.load(TestPki.writeCertificates(dir.resolve("ca.crt"), ca));
    localhostServer = material("localhost", TestPki.server(ca, "localhost", "localhost", "127.0.0.1"));
    otherHostServer = material("other", TestPki.server(ca, "db.other.example", "db.other.example"));
    foreignServer = material("foreign", TestPki.server(otherCa, "localhost", "localhost"));
    alice = TestPki.client(ca, "alice");
    aliceIdentity = material("alice", alice);
    malloryIdentity = material("mallory", TestPki.client(otherCa, "mallory"));
  }

  private static TlsMaterial material(String name, Issued issued) throws TlsMaterialException {
    return TlsMaterial.load(TestPki.writeCertificates(dir.resolve(name + ".crt"), issued),
        TestPki.writePkcs8Key(dir.resolve(name + ".key"), issued));
  }

  @Test
  void mutualTlsHandshakeHandsTheClientCertificateToTheServer() throws Exception {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, caTrust), true, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, aliceIdentity), "localhost", PORT, true,
        null);

    EnginePump.handshake(client, server);

    assertThat(server.getSession().getPeerCertificates()[0]).isEqualTo(alice.certificate());
    assertThat(client.getSession().getPeerCertificates()[0]).isEqualTo(localhostServer.leaf());
    assertThat(server.getSession().getProtocol()).isEqualTo("TLSv1.3");
  }

  /**
   * A JDK client caches the session its handshake made, and one more for every ticket it receives.
   * Against a listener context it must keep only its own; the same handshake against a context
   * with the JDK's defaults shows the ticket it would otherwise get.
   */
  @Test
  void listenerIssuesNoSessionTicketSinceNoPostgresClientEverResumes() throws Exception {
    SSLContext towardsListener = jdkClient();
    EnginePump.handshake(TlsContexts.clientEngine(towardsListener, "localhost", PORT, true, null),
        TlsContexts.serverEngine(TlsContexts.serverWithoutResumption(localhostServer, caTrust, null), false, null));
    assertThat(Collections.list(towardsListener.getClientSessionContext().getIds())).as("sessions kept").hasSize(1);

    SSLContext jdkDefaults = SSLContext.getInstance("TLS");
    jdkDefaults.init(IdentityKeyManagers.of(localhostServer), null, null);
    SSLContext towardsDefaults = jdkClient();
    SSLEngine defaultServer = jdkDefaults.createSSLEngine();
    defaultServer.setUseClientMode(false);
    EnginePump.handshake(TlsContexts.clientEngine(towardsDefaults, "localhost", PORT, true, null), defaultServer);
    assertThat(Collections.list(towardsDefaults.getClientSessionContext().getIds())).as("sessions kept").hasSize(2);
  }

  /**
   * The no-ticket context may serve only handshakes certain to be TLS 1.3 (with stateless tickets it
   * breaks TLS 1.2 clients that ask for one): a client offering 1.3 still gets 1.2 from a listener
   * that disables the version, or whose cipher suites are all TLS 1.2 ones.
   */
  @Test
  void aListenerCanNegotiateTls13OnlyWithTheVersionAndOneOfItsSuites() {
    List<String> tls12Suites = List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assertThat(new ServerTlsSpec(localhostServer, null, null, false, List.of(), List.of()).allowsTls13()).isTrue();
    assertThat(new ServerTlsSpec(localhostServer, null, null, false, List.of("TLSv1.2"), List.of()).allowsTls13())
        .isFalse();
    assertThat(new ServerTlsSpec(localhostServer, null, null, false, List.of(), tls12Suites).allowsTls13()).isFalse();
    assertThat(new ServerTlsSpec(localhostServer, null, null, false, List.of(),
        List.of("TLS_AES_128_GCM_SHA256", tls12Suites.get(0))).allowsTls13()).isTrue();
  }

  /** A client context with the JDK's session cache, which keeps a session per ticket received. */
  private static SSLContext jdkClient() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, caTrust.trustManagers(), null);
    return context;
  }

  /** The JDK client caches every session it completes; a backend connection per client would pile them up. */
  @Test
  void backendContextKeepsOneSessionHoweverManyConnectionsItMade() throws Exception {
    SSLContext backend = TlsContexts.client(caTrust, null);
    SSLContext listener = TlsContexts.serverWithoutResumption(localhostServer, caTrust, null);
    for (int i = 0; i < 5; i++) {
      EnginePump.handshake(TlsContexts.clientEngine(backend, "localhost", PORT, true, null),
          TlsContexts.serverEngine(listener, false, null));
    }
    assertThat(Collections.list(backend.getClientSessionContext().getIds())).as("sessions kept").hasSize(1);
  }

  @Test
  void clientCertificateFromAnImpostorCaOfTheSameNameIsRejected() throws Exception {
    // The JDK's key manager only sends a certificate issued by a CA the CertificateRequest names,
    // so only a CA that copies the trusted CA's name gets a certificate as far as the trust manager.
    Issued impostorCa = TestPki.ca("pgtls test CA");
    TlsMaterial impostor = material("impostor", TestPki.client(impostorCa, "mallory"));
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, caTrust), true, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, impostor), "localhost", PORT, true, null);

    assertThatThrownBy(() -> EnginePump.handshake(client, server)).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void clientCertificateFromAnotherCaIsHeldBackByTheJdkClientSoTheHandshakeCompletesWithoutOne() throws Exception {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, caTrust), true, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, malloryIdentity), "localhost", PORT,
        true, null);

    EnginePump.handshake(client, server);

    assertThatThrownBy(() -> server.getSession().getPeerCertificates())
        .isInstanceOf(javax.net.ssl.SSLPeerUnverifiedException.class);
  }

  @Test
  void clientWithoutCertificateCompletesTheHandshakeSoTheProxyCanAnswerWithAFatal() throws Exception {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, caTrust), true, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "localhost", PORT, true, null);

    EnginePump.handshake(client, server);

    assertThatThrownBy(() -> server.getSession().getPeerCertificates())
        .isInstanceOf(javax.net.ssl.SSLPeerUnverifiedException.class);
  }

  @Test
  void requiredClientCertificateWithoutClientCaIsRefusedNotCheckedAgainstTheJdkTrustStore() {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, null), true, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, aliceIdentity), "localhost", PORT, true,
        null);

    assertThatThrownBy(() -> EnginePump.handshake(client, server))
        .isInstanceOf(SSLHandshakeException.class)
        .hasStackTraceContaining("no client CA certificate file is configured");
  }

  @Test
  void hostNameVerificationRejectsCertificateForAnotherHost() {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(otherHostServer, null), false, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "localhost", PORT, true, null);

    assertThatThrownBy(() -> EnginePump.handshake(client, server))
        .isInstanceOf(SSLHandshakeException.class)
        .hasStackTraceContaining("localhost");
  }

  @Test
  void withoutHostNameVerificationTheChainIsStillVerified() throws Exception {
    SSLEngine toOtherHost = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "localhost", PORT, false,
        null);
    EnginePump.handshake(toOtherHost, TlsContexts.serverEngine(TlsContexts.server(otherHostServer, null), false, null));

    SSLEngine toForeignCa = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "localhost", PORT, false,
        null);
    SSLEngine foreign = TlsContexts.serverEngine(TlsContexts.server(foreignServer, null), false, null);
    assertThatThrownBy(() -> EnginePump.handshake(toForeignCa, foreign)).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void localhostIsVerifiedAndGetsSniAlthoughItHasNoDot() throws Exception {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, null), false, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "localhost", PORT, true, null);

    EnginePump.handshake(client, server);

    assertThat(requestedServerNames(server)).containsExactly(new SNIHostName("localhost"));
  }

  @Test
  void ipLiteralIsVerifiedAgainstTheIpSanAndSendsNoSni() throws Exception {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, null), false, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "127.0.0.1", PORT, true, null);

    EnginePump.handshake(client, server);

    assertThat(requestedServerNames(server)).isEmpty();
  }

  @Test
  void ipLiteralIsNotMatchedAgainstDnsNames() {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(foreignServer, null), false, null);
    SSLContext trustingForeign = TlsContexts.client(trustOf(foreignServer), null);
    SSLEngine client = TlsContexts.clientEngine(trustingForeign, "127.0.0.1", PORT, true, null);

    assertThatThrownBy(() -> EnginePump.handshake(client, server)).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void trailingDotIsDroppedBecauseSniHostNameRejectsIt() throws Exception {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, null), false, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "localhost.", PORT, true, null);

    EnginePump.handshake(client, server);

    assertThat(requestedServerNames(server)).containsExactly(new SNIHostName("localhost"));
  }

  @Test
  void hostNameThatSniHostNameRejectsStillConnectsWithoutSni() throws Exception {
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(localhostServer, null), false, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "pg_primary", PORT, false, null);

    EnginePump.handshake(client, server);

    assertThat(requestedServerNames(server)).isEmpty();
  }

  @Test
  void identityWithEcKeyIsServed() throws Exception {
    Issued ecServer = TestPki.leaf(ca, "CN=localhost", TestPki.ec("secp256r1"),
        org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth, "localhost");
    TlsMaterial identity = TlsMaterial.load(TestPki.writeCertificates(dir.resolve("ec-server.crt"), ecServer),
        TestPki.write(dir.resolve("ec-server.key"), TestPki.pem(ecServer.privateKey())));
    SSLEngine server = TlsContexts.serverEngine(TlsContexts.server(identity, null), false, null);
    SSLEngine client = TlsContexts.clientEngine(TlsContexts.client(caTrust, null), "localhost", PORT, true, null);

    EnginePump.handshake(client, server);

    assertThat(client.getSession().getPeerCertificates()[0]).isEqualTo(ecServer.certificate());
  }

  private static TrustMaterial trustOf(TlsMaterial material) {
    try {
      Path file = dir.resolve("trust-" + System.nanoTime() + ".crt");
      TestPki.write(file, TestPki.pem(material.chain().toArray()));
      return TrustMaterial.load(file);
    } catch (TlsMaterialException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<SNIServerName> requestedServerNames(SSLEngine server) {
    return ((ExtendedSSLSession) server.getSession()).getRequestedServerNames();
  }
}
