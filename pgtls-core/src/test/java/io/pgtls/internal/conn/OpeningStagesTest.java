package io.pgtls.internal.conn;

import io.pgtls.internal.route.SharedLimits;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.BackendTls;
import io.pgtls.Listener;
import io.pgtls.ListenerTls;
import io.pgtls.Route;
import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.pg.ErrorResponse;
import io.pgtls.internal.pg.StartupCodes;
import io.pgtls.internal.pg.CancelKeys;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.Refusal;
import io.pgtls.tls.TestMaterialFiles;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TlsMaterial;
import io.pgtls.tls.TrustMaterial;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The opening stages driven over in-memory pipes against peers with real SSLEngines, one byte at a
 * time and in bigger chunks: every partial packet and partial record path runs, with no socket
 * and no driver. Each test checks what the stage hands on (its outcome, the packet waiting in the
 * relay buffer) and what the peer saw.
 */
class OpeningStagesTest {
  private static final byte[] STARTUP = Packets.startup(StartupCodes.PROTOCOL_3_0, "user", "alice", "database", "db",
      "application_name", "psql");
  private static final byte[] CANCEL = Packets.cancel(4);

  @TempDir static Path dir;
  private static TestMaterialFiles files;
  private static SSLContext clientContext;
  private static SSLContext serverContext;
  private final BufferPool pool = new BufferPool();
  private final List<PooledBuffer> buffers = new ArrayList<>();

  @BeforeAll
  static void material() throws Exception {
    files = TestMaterialFiles.write(dir);
    clientContext = TlsContexts.client(TrustMaterial.load(files.caCertificate), null);
    serverContext = TlsContexts.server(TlsMaterial.load(files.serverCertificate, files.serverKey), null);
  }

  @AfterEach
  void everyBufferGoesBack() {
    buffers.forEach(PooledBuffer::release);
  }

  // ---------------------------------------------------------------------------------------------
  // ClientOpening

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 64, 1 << 16})
  void anSslRequestThenTlsThenAStartupMessageOpenASessionHoweverTheBytesArrive(int chunk) throws IOException {
    Opening o = clientOpening(chunk, route().build());
    Peers.Client peer = new Peers.Client(o.pipe.far(), pool, clientEngine(null), STARTUP, StartupCodes.sslRequest());

    Outcome outcome = o.harness.run(peer);

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.CLIENT_READY);
    assertThat(outcome.request()).isEqualTo(new SessionRequest(false, "alice", "db", "3.0", STARTUP.length, "localhost",
        Map.of("user", "alice", "database", "db", "application_name", "psql")));
    assertThat(bytes(o.c2b)).as("the StartupMessage waits, whole and alone, to be forwarded").isEqualTo(STARTUP);
    assertThat(peer.answers()).isEqualTo("S");
    assertThat(o.harness.visited()).containsExactly(ConnectionState.NEGOTIATING, ConnectionState.CLIENT_HELLO,
        ConnectionState.CLIENT_HANDSHAKE, ConnectionState.AWAIT_STARTUP);
  }

  @Test
  void aGssEncRequestIsAnsweredNAndTheSslRequestAfterItStillOpensTls() throws IOException {
    Opening o = clientOpening(1, route().build());
    Peers.Client peer = new Peers.Client(o.pipe.far(), pool, clientEngine(null), STARTUP, Packets.gssencRequest(),
        StartupCodes.sslRequest());

    assertThat(o.harness.run(peer).kind()).isEqualTo(Outcome.Kind.CLIENT_READY);
    assertThat(peer.answers()).isEqualTo("NS");
  }

  @Test
  void directTlsWithAlpnPostgresqlOpensASessionWithoutAnyAnswerByte() throws IOException {
    Opening o = clientOpening(1, route().build());
    Peers.Client peer = new Peers.Client(o.pipe.far(), pool, clientEngine(new String[] {"postgresql"}), STARTUP);

    assertThat(o.harness.run(peer).kind()).isEqualTo(Outcome.Kind.CLIENT_READY);
    assertThat(peer.answers()).isEmpty();
    assertThat(bytes(o.c2b)).isEqualTo(STARTUP);
  }

  @Test
  void directTlsWithoutAlpnIsRefusedOnceTheHandshakeIsDone() throws IOException {
    Opening o = clientOpening(7, route().build());
    Peers.Client peer = new Peers.Client(o.pipe.far(), pool, clientEngine(null), STARTUP);

    Outcome outcome = o.harness.run(peer);

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.REFUSE);
    assertThat(outcome.rejection().reason()).isEqualTo(Refusal.DIRECT_TLS_WITHOUT_ALPN);
    assertThat(o.harness.state()).isEqualTo(ConnectionState.CLIENT_HANDSHAKE);
  }

  @Test
  void plaintextBehindTheSslRequestIsRefusedBeforeAnyTlsAndWithoutAnS() throws IOException {
    Opening o = clientOpening(1 << 16, route().build());
    MemoryPipe.End far = o.pipe.far();

    Outcome outcome = o.harness.run(sending(far, Packets.concat(StartupCodes.sslRequest(), STARTUP)));

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.REFUSE);
    assertThat(outcome.rejection().sqlstate()).isEqualTo(ErrorResponse.PROTOCOL_VIOLATION);
    assertThat(outcome.rejection().reason()).isEqualTo(Refusal.UNENCRYPTED_AFTER_SSL_REQUEST);
    assertThat(far.hasUnread()).as("no 'S' went out").isFalse();
  }

  @Test
  void aCancelInsideTlsForwardsItsSixteenBytesAndNothingBehindThem() throws IOException {
    Opening o = clientOpening(1, route().build());
    Peers.Client peer = new Peers.Client(o.pipe.far(), pool, clientEngine(null), Packets.concat(CANCEL, STARTUP),
        StartupCodes.sslRequest());

    Outcome outcome = o.harness.run(peer);

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.CLIENT_READY);
    assertThat(outcome.request().cancel()).isTrue();
    assertThat(bytes(o.c2b)).isEqualTo(CANCEL);
  }

  @Test
  void aPlaintextCancelIsTakenBeforeAnyTlsWhereTheRouteAllowsIt() throws IOException {
    Opening o = clientOpening(1, route().build());
    Outcome outcome = o.harness.run(sending(o.pipe.far(), Packets.concat(CANCEL, new byte[] {1, 2, 3})));

    assertThat(outcome.request().cancel()).isTrue();
    assertThat(bytes(o.c2b)).isEqualTo(CANCEL);
  }

  @Test
  void aClientThatDistrustsTheProxysCertificateEndsTheHandshakeAndIsCountedAsAClientTlsFailure() throws IOException {
    Opening o = clientOpening(5, route().build());
    SSLEngine distrusting = TlsContexts.clientEngine(TlsContexts.client(TrustMaterial.jdkDefault(), null), "localhost",
        5432, true, List.of("TLSv1.3"));
    Peers.Client peer = new Peers.Client(o.pipe.far(), pool, distrusting, STARTUP, StartupCodes.sslRequest());

    Outcome outcome = o.harness.run(peer);

    assertThat(peer.failure()).isNotNull();
    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.REFUSE);
    assertThat(outcome.rejection().reason()).isEqualTo(Refusal.CLIENT_TLS);
    assertThat(outcome.rejection().tellsClient()).as("a TLS alert, not an ErrorResponse").isFalse();
  }

  // ---------------------------------------------------------------------------------------------
  // BackendOpening

  @ParameterizedTest
  @ValueSource(ints = {1, 64, 1 << 16})
  void aTlsBackendIsReadyAfterSslRequestItsSAndAHandshakeHoweverTheBytesArrive(int chunk) throws IOException {
    BackendSide b = backendOpening(chunk, route().backendTls(BackendTls.verifyFull(files.caCertificate)).build());
    Peers.Backend backend = new Peers.Backend(b.pipe.far(), pool, serverEngine(), new byte[] {'S'});

    Outcome outcome = b.harness.run(backend);

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.BACKEND_READY);
    assertThat(backend.request()).isEqualTo(StartupCodes.sslRequest());
    assertThat(b.leg.tls().protocol()).isEqualTo("TLSv1.3");
    assertThat(b.connectedTo).extracting(a -> ((InetSocketAddress) a).getPort()).containsExactly(5432);
    assertThat(b.harness.visited()).containsExactly(ConnectionState.BACKEND_CONNECTING,
        ConnectionState.BACKEND_NEGOTIATING, ConnectionState.BACKEND_HANDSHAKE);
    assertThat(b.b2c.isEmpty()).as("no handshake byte is left for the client").isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 1 << 16})
  void anOutboundProxyHeaderGoesBeforeTheSslRequestAndNothingElseChanges(int chunk) throws IOException {
    byte[] header = io.pgtls.internal.proxy.ProxyHeaderWriter.v2(new InetSocketAddress("203.0.113.7", 51234),
        new InetSocketAddress("10.0.0.5", 6432));
    BackendSide b = backendOpening(chunk, route().backendTls(BackendTls.verifyFull(files.caCertificate)).build(),
        header);
    Peers.Backend backend = new Peers.Backend(b.pipe.far(), pool, serverEngine(), new byte[] {'S'}, header.length);

    Outcome outcome = b.harness.run(backend);

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.BACKEND_READY);
    assertThat(backend.prefix()).isEqualTo(header);
    assertThat(backend.request()).isEqualTo(StartupCodes.sslRequest());
  }

  @Test
  void aBackendAnsweringNIsRefusedAsUnableToEstablishTheConnection() throws IOException {
    BackendSide b = backendOpening(1, route().backendTls(BackendTls.verifyFull(files.caCertificate)).build());

    Outcome outcome = b.harness.run(new Peers.Backend(b.pipe.far(), pool, serverEngine(), new byte[] {'N'}));

    assertThat(outcome.rejection().sqlstate()).isEqualTo(ErrorResponse.UNABLE_TO_ESTABLISH_CONNECTION);
    assertThat(outcome.rejection().ending()).isEqualTo(Rejection.Ending.BACKEND_FAILURE);
  }

  @Test
  void bytesBehindTheBackendsSAreRefusedAsInjected() throws IOException {
    BackendSide b = backendOpening(1 << 16, route().backendTls(BackendTls.verifyFull(files.caCertificate)).build());

    Outcome outcome = b.harness.run(new Peers.Backend(b.pipe.far(), pool, serverEngine(), new byte[] {'S', 0x16, 3}));

    assertThat(outcome.rejection().sqlstate()).isEqualTo(ErrorResponse.PROTOCOL_VIOLATION);
    assertThat(outcome.rejection().message()).contains("sent unencrypted data after its SSL response");
  }

  @Test
  void aBackendCertificateForAnotherHostIsRefusedNamingTheExpectedName() throws IOException {
    BackendSide b = backendOpening(64,
        route().backendTls(BackendTls.verifyFull(files.caCertificate).serverName("db.elsewhere.test")).build());

    Outcome outcome = b.harness.run(new Peers.Backend(b.pipe.far(), pool, serverEngine(), new byte[] {'S'}));

    assertThat(outcome.rejection().reason()).isEqualTo(Refusal.BACKEND_TLS);
    assertThat(outcome.rejection().message()).contains("does not match the host name 'db.elsewhere.test'");
  }

  @Test
  void aPlaintextBackendIsReadyAsSoonAsItIsConnectedAndAnIpLiteralNeedsNoDns() throws IOException {
    BackendSide b = backendOpening(1, route().backend("127.0.0.1:5433").backendTls(BackendTls.disabled()).build());

    Outcome outcome = b.harness.run(() -> { });

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.BACKEND_READY);
    assertThat(b.connectedTo).extracting(a -> ((InetSocketAddress) a).getPort()).containsExactly(5433);
    assertThat(b.harness.visited()).containsExactly(ConnectionState.BACKEND_CONNECTING);
  }

  @Test
  void aBackendThatRefusesEveryAddressIsReportedWithTheLastError() throws IOException {
    CompiledRoute route = compile(route().backend("127.0.0.1:5433").backendTls(BackendTls.disabled()).build());
    PooledBuffer b2c = buffer("b2c");
    BackendOpening.Connector refusing = new BackendOpening.Connector() {
      @Override
      public Leg open(SocketAddress target) throws IOException {
        throw new ConnectException("Connection refused");
      }

      @Override
      public void discard(Leg leg) {
        leg.close(null);
      }
    };
    StageHarness harness = new StageHarness(new BackendOpening(new ConnectionLog("test"), route, refusing, b2c, null),
        ConnectionState.BACKEND_CONNECTING, new MemoryPipe(1));

    Outcome outcome = harness.run(() -> { });

    assertThat(outcome.rejection().reason()).isEqualTo(Refusal.BACKEND_UNAVAILABLE);
    assertThat(outcome.rejection().message()).isEqualTo("could not connect to backend 127.0.0.1:5433: Connection refused");
  }

  @Test
  void aUnixSocketBackendConnectsToItsSocketFileWithoutDnsOrSslRequest() throws IOException {
    BackendSide b = backendOpening(1, route().backend("/run/pg:5433").backendTls(BackendTls.disabled()).build());

    Outcome outcome = b.harness.run(() -> { });

    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.BACKEND_READY);
    assertThat(b.connectedTo).containsExactly(UnixDomainSocketAddress.of("/run/pg/.s.PGSQL.5433"));
    assertThat(b.harness.visited()).containsExactly(ConnectionState.BACKEND_CONNECTING);
  }

  @Test
  void aMissingUnixSocketIsReportedWithItsPathAndTheSystemsError() throws IOException {
    CompiledRoute route = compile(route().backend("/run/pg/.s.PGSQL.5432").backendTls(BackendTls.disabled()).build());
    BackendOpening.Connector missing = new BackendOpening.Connector() {
      @Override
      public Leg open(SocketAddress target) throws IOException {
        throw new java.net.SocketException("No such file or directory");
      }

      @Override
      public void discard(Leg leg) {
        leg.close(null);
      }
    };
    StageHarness harness = new StageHarness(new BackendOpening(new ConnectionLog("test"), route, missing, buffer("b2c"), null),
        ConnectionState.BACKEND_CONNECTING, new MemoryPipe(1));

    Outcome outcome = harness.run(() -> { });

    assertThat(outcome.rejection().reason()).isEqualTo(Refusal.BACKEND_UNAVAILABLE);
    assertThat(outcome.rejection().message())
        .isEqualTo("could not connect to backend /run/pg/.s.PGSQL.5432: No such file or directory");
    assertThat(outcome.rejection().hint()).contains("accepting connections on that socket");
  }

  // ---------------------------------------------------------------------------------------------

  private static final class Opening {
    MemoryPipe pipe;
    PooledBuffer c2b;
    StageHarness harness;
  }

  private static final class BackendSide {
    MemoryPipe pipe;
    PooledBuffer b2c;
    StageHarness harness;
    Leg leg;
    byte[] proxyHeader;
    final List<SocketAddress> connectedTo = new ArrayList<>();
  }

  private Opening clientOpening(int chunk, Route route) {
    Opening o = new Opening();
    o.pipe = new MemoryPipe(chunk);
    Leg client = new Leg("client", o.pipe.near(), pool);
    o.c2b = buffer("c2b");
    o.harness = new StageHarness(new ClientOpening(new ConnectionLog("test"), listenerOf(route), client, o.c2b),
        ConnectionState.NEGOTIATING, o.pipe, client);
    return o;
  }

  private BackendSide backendOpening(int chunk, Route route) {
    return backendOpening(chunk, route, null);
  }

  private BackendSide backendOpening(int chunk, Route route, byte[] proxyHeader) {
    BackendSide b = new BackendSide();
    b.proxyHeader = proxyHeader;
    b.pipe = new MemoryPipe(chunk);
    b.b2c = buffer("b2c");
    BackendOpening.Connector connector = new BackendOpening.Connector() {
      @Override
      public Leg open(SocketAddress target) {
        b.connectedTo.add(target);
        b.leg = new Leg("backend", b.pipe.near(), pool);
        b.harness.watch(b.leg);
        return b.leg;
      }

      @Override
      public void discard(Leg leg) {
        throw new AssertionError("the one address connects");
      }
    };
    b.harness = new StageHarness(new BackendOpening(new ConnectionLog("test"), compile(route), connector, b.b2c, b.proxyHeader),
        ConnectionState.BACKEND_CONNECTING, b.pipe);
    return b;
  }

  private static Route.Builder route() {
    return Route.builder("main").backend("localhost:5432");
  }

  private static CompiledRoute compile(Route route) {
    return listenerOf(route).routes().get(0);
  }

  private static CompiledListener listenerOf(Route... routes) {
    Listener.Builder listener = Listener.builder("127.0.0.1:0")
        .tls(ListenerTls.pem(files.serverCertificate, files.serverKey));
    for (Route r : routes) {
      listener.route(r);
    }
    return CompiledListener.compile(listener.build(), SharedLimits.of(10, io.pgtls.ClientLimits.defaults()), CancelKeys.random());
  }

  private PooledBuffer buffer(String name) {
    PooledBuffer b = new PooledBuffer(pool, true, name);
    buffers.add(b);
    return b;
  }

  private static SSLEngine clientEngine(String[] alpn) {
    SSLEngine e = TlsContexts.clientEngine(clientContext, "localhost", 6432, true, List.of("TLSv1.3", "TLSv1.2"));
    if (alpn != null) {
      SSLParameters p = e.getSSLParameters();
      p.setApplicationProtocols(alpn);
      e.setSSLParameters(p);
    }
    return e;
  }

  private static SSLEngine serverEngine() {
    return TlsContexts.serverEngine(serverContext, false, List.of("TLSv1.3", "TLSv1.2"));
  }

  /** A peer that only writes {@code bytes}, as fast as the pipe takes them. */
  private static StageHarness.Peer sending(MemoryPipe.End far, byte[] bytes) {
    ByteBuffer left = ByteBuffer.wrap(bytes);
    return () -> {
      if (left.hasRemaining()) {
        far.write(left);
      }
    };
  }

  private static byte[] bytes(PooledBuffer b) {
    ByteBuffer v = b.view();
    byte[] out = new byte[v.remaining()];
    v.get(out);
    return out;
  }
}
