package io.pgtls.boringssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.boringssl.Sides.Side;
import io.pgtls.internal.tls.TlsSession;
import io.pgtls.tls.ClientTlsSpec;
import io.pgtls.tls.JdkTlsEngineFactory;
import io.pgtls.tls.ServerTlsSpec;
import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.tls.TlsEngineMaker;
import io.pgtls.tls.TlsEngines;
import io.pgtls.tls.TlsMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each measured difference of netty-tcnative's engine from the JDK's (design/tls-engines.md),
 * and what pgtls's TlsSession makes of it; in memory, through pgtls's own session code.
 */
class BoringSslQuirksTest {
  @TempDir
  static Path dir;
  static Pki pki;
  static final TlsEngineFactory BORINGSSL = new BoringSslEngineFactory();
  static final TlsEngineFactory JDK = new JdkTlsEngineFactory();

  private final List<TlsEngineMaker> makers = new ArrayList<>();
  private final List<TlsSession> sessions = new ArrayList<>();

  @BeforeAll
  static void pki() {
    NativeLibrary.require();
    pki = new Pki(dir);
  }

  @AfterEach
  void releaseAll() {
    sessions.forEach(TlsSession::release);
    makers.forEach(TlsEngineMaker::retire);
  }

  private Side server(TlsEngineFactory engine, boolean askForClientCertificate) {
    TlsEngineMaker maker = engine.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null,
        askForClientCertificate, List.of(), List.of()));
    return side("server(" + engine.name() + ")", maker);
  }

  private Side client(TlsEngineFactory engine, TlsMaterial identity, List<String> alpn) {
    TlsEngineMaker maker = engine.client(new ClientTlsSpec(pki.trust(), identity, "localhost", 5432, true,
        List.of(), alpn));
    return side("client(" + engine.name() + ")", maker);
  }

  private Side side(String name, TlsEngineMaker maker) {
    makers.add(maker);
    SSLEngine e = maker.newEngine();
    Side side = new Side(name, e, () -> maker.release(e));
    sessions.add(side.session);
    return side;
  }

  @Test
  void theEngineItselfCompletesAHandshakeWithAClientOfferingOnlyH2SoPgtlsMustRefuseIt() throws Exception {
    // Why ClientOpening refuses such a client from its ClientHello (ProxyAlpnRefusalTest shows it
    // does): the engine has no way to send no_application_protocol.
    Side server = server(BORINGSSL, false);
    Side client = client(JDK, null, List.of("h2"));
    Sides.handshake(client, server);
    assertThat(server.engine.getApplicationProtocol()).isNull();
    assertThat(server.session.applicationProtocol()).isEmpty();
  }

  @ParameterizedTest(name = "server {0}")
  @CsvSource({"boringssl", "jdk"})
  void noAlpnIsSeenAsNoneNotAsNull(String serverEngine) throws Exception {
    Side server = server(TlsEngines.named(serverEngine), false);
    Side client = client(BORINGSSL, null, List.of());
    assertThat(server.session.applicationProtocol()).as("before the handshake").isNull();
    Sides.handshake(client, server);
    assertThat(server.session.applicationProtocol()).isEqualTo("");
    assertThat(client.session.applicationProtocol()).isEqualTo("");
  }

  @Test
  void alpnPostgresqlIsNegotiatedBothWays() throws Exception {
    Side server = server(BORINGSSL, false);
    Side client = client(BORINGSSL, null, List.of("postgresql"));
    Sides.handshake(client, server);
    assertThat(server.session.applicationProtocol()).isEqualTo("postgresql");
    assertThat(client.session.applicationProtocol()).isEqualTo("postgresql");
  }

  @ParameterizedTest(name = "client {0}, server {1}, client certificate {2}")
  @CsvSource({"boringssl, boringssl, true", "boringssl, boringssl, false", "jdk, boringssl, true",
      "boringssl, jdk, true", "jdk, jdk, true"})
  void theHandshakeEndsWithoutNewInputAfterDelegatedTasksAndTheLastHandshakeRecord(String clientEngine,
      String serverEngine, boolean clientCertificate) throws Exception {
    // Without the unwrap of nothing TlsSession offers while handshaking, netty's client waits in
    // NEED_UNWRAP after checking the server's certificate, and its server after the client's
    // Finished: Sides.pumpUntil reports that stall.
    Side server = server(TlsEngines.named(serverEngine), clientCertificate);
    Side client = client(TlsEngines.named(clientEngine), clientCertificate ? pki.client.material() : null,
        List.of());
    Sides.handshake(client, server);
    assertThat(client.tasksRun + server.tasksRun).as("delegated tasks ran").isPositive();
    if (clientCertificate) {
      assertThat(server.session.peerCertificate().getSubjectX500Principal().getName()).isEqualTo("CN=alice");
    }
    assertThat(client.session.peerCertificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    client.send("StartupMessage".getBytes(StandardCharsets.US_ASCII));
    Sides.pumpUntil(client, server, () -> server.received.size() == "StartupMessage".length());
    assertThat(server.received.toString(StandardCharsets.US_ASCII)).isEqualTo("StartupMessage");
  }

  @ParameterizedTest(name = "backend host {0}")
  @CsvSource({"localhost, localhost", "postgres, postgres", "db.example.com., db.example.com", "127.0.0.1, ''",
      "[::1], ''"})
  void theBackendLegSendsSniForEveryHostNameDotlessToo(String host, String sni) throws Exception {
    // netty, like the JDK, derives SNI only from names with a dot; pgtls sets it for every name,
    // never for an IP literal (RFC 6066). Host name checking is off here: only SNI is looked at.
    TlsEngineMaker maker = BORINGSSL.client(new ClientTlsSpec(pki.trust(), null, host, 5432, false, List.of(),
        List.of()));
    Side client = side("client(boringssl)", maker);
    Side server = server(JDK, false);
    Sides.handshake(client, server);
    List<javax.net.ssl.SNIServerName> seen =
        ((javax.net.ssl.ExtendedSSLSession) server.engine.getSession()).getRequestedServerNames();
    assertThat(seen.stream().map(n -> ((javax.net.ssl.SNIHostName) n).getAsciiName()).toList())
        .isEqualTo(sni.isEmpty() ? List.of() : List.of(sni));
  }

  /**
   * PostgreSQL 14 to 17 take only P-256 for key exchange; a ClientHello whose only key share is
   * X25519 (BoringSSL's default) gets a HelloRetryRequest on every backend connection.
   */
  @Test
  void theBackendLegsOneKeyShareIsP256WhichEveryPostgresqlTakesAtOnce() throws Exception {
    Side client = client(BORINGSSL, null, List.of());
    client.session.begin();
    client.pass();
    client.netOut.flip();
    assertThat(keyShareGroups(client.netOut)).containsExactly(0x0017); // secp256r1
  }

  /** The group of each key_share entry of the ClientHello in {@code record}. */
  private static List<Integer> keyShareGroups(java.nio.ByteBuffer record) {
    java.nio.ByteBuffer b = record.duplicate();
    b.position(b.position() + 5 + 4 + 2 + 32); // record header, handshake header, version, random
    skip(b, b.get() & 0xff); // session id
    skip(b, b.getShort() & 0xffff); // cipher suites
    skip(b, b.get() & 0xff); // compression methods
    int extensionsLength = b.getShort() & 0xffff;
    int end = b.position() + extensionsLength;
    List<Integer> groups = new ArrayList<>();
    while (b.position() < end) {
      int type = b.getShort() & 0xffff;
      int length = b.getShort() & 0xffff;
      int next = b.position() + length;
      if (type == 51) {
        int listLength = b.getShort() & 0xffff;
        int listEnd = b.position() + listLength;
        while (b.position() < listEnd) {
          groups.add(b.getShort() & 0xffff);
          skip(b, b.getShort() & 0xffff);
        }
      }
      b.position(next);
    }
    return groups;
  }

  private static void skip(java.nio.ByteBuffer b, int n) {
    b.position(b.position() + n);
  }

  @Test
  void nativeEnginesAskForDirectBuffers() {
    assertThat(client(BORINGSSL, null, List.of()).session.prefersDirectBuffers()).isTrue();
    assertThat(client(JDK, null, List.of()).session.prefersDirectBuffers()).isFalse();
  }

  @Test
  void neitherLegKeepsASessionCache() {
    NettyEngineMaker server = NettyEngineMaker.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null,
        false, List.of(), List.of()));
    NettyEngineMaker client = NettyEngineMaker.client(new ClientTlsSpec(pki.trust(), null, "localhost", 5432, true,
        List.of(), List.of()));
    makers.add(server);
    makers.add(client);
    assertThat(server.sessionCacheEnabled()).isFalse();
    assertThat(client.sessionCacheEnabled()).isFalse();
  }

  @Test
  void aClientWithoutACertificateCompletesTheHandshakeWhenOneIsOnlyAskedFor() throws Exception {
    Side server = server(BORINGSSL, true);
    Side client = client(JDK, null, List.of());
    Sides.handshake(client, server);
    assertThat(server.session.peerCertificate()).isNull();
    assertThat(server.session.peerCertificateChain()).isEmpty();
  }

  @ParameterizedTest(name = "client {0}")
  @CsvSource({"boringssl", "jdk"})
  void aClientHoldsBackACertificateFromACaTheServerDoesNotName(String clientEngine) throws Exception {
    // Both engines' servers name client_ca in their CertificateRequest, and both engines' clients
    // then send no certificate rather than one from another CA: the handshake completes without.
    Side server = server(BORINGSSL, true);
    Side client = client(TlsEngines.named(clientEngine), pki.stranger.material(), List.of());
    Sides.handshake(client, server);
    assertThat(server.session.peerCertificate()).isNull();
  }

  @ParameterizedTest(name = "server {0}")
  @CsvSource({"boringssl", "jdk"})
  void aCertificateFromAnotherCaFailsTheHandshake(String serverEngine) {
    Side server = server(TlsEngines.named(serverEngine), true);
    Side client = stubbornClient(pki.stranger);
    assertThatThrownBy(() -> Sides.handshake(client, server)).isInstanceOf(SSLException.class);
  }

  /** A JDK client that sends {@code identity} whatever CAs the server names (as OpenSSL's libpq does). */
  private Side stubbornClient(Pki.Issued identity) {
    try {
      java.security.KeyStore keys = java.security.KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("id", identity.keys().getPrivate(), new char[0],
          new java.security.cert.Certificate[] {identity.certificate()});
      javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("SunX509");
      kmf.init(keys, new char[0]);
      javax.net.ssl.X509ExtendedKeyManager km = (javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0];
      javax.net.ssl.X509ExtendedKeyManager stubborn = new javax.net.ssl.X509ExtendedKeyManager() {
        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
          return new String[] {"id"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket s) {
          return "id";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, SSLEngine e) {
          return "id";
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket s) {
          return null;
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
          return km.getCertificateChain(alias);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
          return km.getPrivateKey(alias);
        }
      };
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(new javax.net.ssl.KeyManager[] {stubborn}, pki.trust().trustManagers(), null);
      SSLEngine e = ctx.createSSLEngine("localhost", 5432);
      e.setUseClientMode(true);
      Side side = new Side("client(stubborn jdk)", e, () -> { });
      sessions.add(side.session);
      return side;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "peer {0}")
  @CsvSource({"jdk", "boringssl"})
  void aPeersCloseNotifyClosesBothDirectionsAndKeepsTheDataBeforeIt(String peerEngine) throws Exception {
    Side server = server(BORINGSSL, false);
    Side client = client(TlsEngines.named(peerEngine), null, List.of());
    Sides.handshake(client, server);
    // The client's last data and its close_notify arrive in one read.
    client.send("Terminate".getBytes(StandardCharsets.US_ASCII));
    assertThat(client.session.close(client.netOut)).isEqualTo(TlsSession.Status.OK);
    Sides.transfer(client, server);
    server.pass();
    assertThat(server.received.toString(StandardCharsets.US_ASCII)).isEqualTo("Terminate");
    while (server.last != TlsSession.Status.INBOUND_CLOSED) {
      assertThat(server.pass()).as("progress toward the close_notify").isTrue();
    }
    // Duplex close: the engine answered with its own close_notify, and sends nothing after it.
    assertThat(server.netOut.position()).as("our close_notify").isPositive();
    assertThat(server.session.isOutboundDone()).isTrue();
    assertThat(server.session.mode()).isEqualTo(TlsSession.Mode.CLOSED);
    int queued = server.netOut.position();
    server.send("too late".getBytes(StandardCharsets.US_ASCII));
    assertThat(server.last).isEqualTo(TlsSession.Status.OUTBOUND_CLOSED);
    assertThat(server.netOut.position()).isEqualTo(queued);
    // The peer reads a clean close, not a truncation.
    Sides.transfer(server, client);
    client.pass();
    assertThat(client.last).isEqualTo(TlsSession.Status.INBOUND_CLOSED);
  }

  @Test
  void ourCloseNotifyIsWrappedAndThePeerSeesACleanClose() throws Exception {
    Side server = server(BORINGSSL, false);
    Side client = client(JDK, null, List.of());
    Sides.handshake(client, server);
    server.send("ErrorResponse".getBytes(StandardCharsets.US_ASCII));
    assertThat(server.session.close(server.netOut)).isEqualTo(TlsSession.Status.OK);
    assertThat(server.session.isOutboundDone()).isTrue();
    Sides.transfer(server, client);
    while (client.last != TlsSession.Status.INBOUND_CLOSED) {
      assertThat(client.pass()).isTrue();
    }
    assertThat(client.received.toString(StandardCharsets.US_ASCII)).isEqualTo("ErrorResponse");
  }

  @Test
  void cipherSuitesThatWouldNarrowTls13AreRefusedSinceBoringSslCannot() {
    // On the JDK's engine such a list narrows TLS 1.3; BoringSSL would quietly accept all three.
    assertThatThrownBy(() -> BORINGSSL.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null, false,
        List.of(), List.of("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot restrict them").hasMessageContaining("tls_engine = \"jdk\"");
    assertThatThrownBy(() -> BORINGSSL.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null, false,
        List.of(), List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lists none of them");
    // All three, or TLS 1.2 only, mean the same on both engines.
    makers.add(BORINGSSL.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null, false, List.of(),
        List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))));
    makers.add(BORINGSSL.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null, false,
        List.of("TLSv1.2"), List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))));
  }

  @Test
  void aTls12OnlyCipherListIsHonouredByTheHandshake() throws Exception {
    TlsEngineMaker maker = BORINGSSL.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null, false,
        List.of("TLSv1.2"), List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")));
    Side server = side("server(boringssl)", maker);
    Side client = client(JDK, null, List.of());
    Sides.handshake(client, server);
    assertThat(server.session.protocol()).isEqualTo("TLSv1.2");
    assertThat(server.session.cipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
  }

  @Test
  void everyEngineIsReleasedWhateverItsHandshakeReachedAndTheContextAfterTheLast() throws Exception {
    int before = NettyEngineMaker.liveEnginesInJvm();
    NettyEngineMaker maker = NettyEngineMaker.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null,
        true, List.of(), List.of()));
    List<TlsSession> mine = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      SSLEngine e = maker.newEngine();
      Side server = new Side("server", e, () -> maker.release(e));
      mine.add(server.session);
      Side client = i % 3 == 2 ? stubbornClient(pki.stranger) : client(JDK, null, List.of());
      if (i % 3 == 0) {
        Sides.handshake(client, server); // completed
      } else if (i % 3 == 1) {
        server.session.begin(); // abandoned before the ClientHello
      } else {
        assertThatThrownBy(() -> Sides.handshake(client, server)).isInstanceOf(SSLException.class); // failed
      }
    }
    assertThat(maker.liveEngines()).isEqualTo(6);
    assertThat(NettyEngineMaker.liveEnginesInJvm()).isEqualTo(before + 6);
    maker.retire(); // a reload swaps in new material while the sessions are live
    assertThat(maker.contextReferences()).as("the live engines keep the context").isEqualTo(6);
    // A connection that chose the route before the reload still gets an engine from it.
    SSLEngine straggler = maker.newEngine();
    mine.add(new TlsSession(straggler, () -> maker.release(straggler)));
    assertThat(maker.contextReferences()).isEqualTo(7);
    for (TlsSession s : mine) {
      s.release();
      s.release(); // idempotent: Leg.close may be reached twice
    }
    assertThat(maker.liveEngines()).isZero();
    assertThat(NettyEngineMaker.liveEnginesInJvm()).isEqualTo(before);
    assertThat(maker.contextReferences()).as("the context is freed with the last engine").isZero();
  }

  @Test
  void aStragglerAfterTheLastEngineGetsAContextBuiltAgainAndFreedWithIt() throws Exception {
    int contexts = NettyEngineMaker.liveContextsInJvm();
    NettyEngineMaker maker = NettyEngineMaker.server(new ServerTlsSpec(pki.server.material(), pki.trust(), null,
        false, List.of(), List.of()));
    assertThat(NettyEngineMaker.liveContextsInJvm()).isEqualTo(contexts + 1);
    maker.retire(); // no engine lives: the context goes at once
    assertThat(NettyEngineMaker.liveContextsInJvm()).isEqualTo(contexts);
    SSLEngine e = maker.newEngine();
    Side server = new Side("server", e, () -> maker.release(e));
    sessions.add(server.session);
    assertThat(NettyEngineMaker.liveContextsInJvm()).isEqualTo(contexts + 1);
    Sides.handshake(client(JDK, null, List.of()), server);
    server.session.release();
    assertThat(NettyEngineMaker.liveContextsInJvm()).isEqualTo(contexts);
    assertThat(maker.liveEngines()).isZero();
  }
}
