package io.pgtls.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.ClientLimits;
import io.pgtls.Listener;
import io.pgtls.ListenerTls;
import io.pgtls.Route;
import io.pgtls.internal.buffer.BufferPool;
import io.pgtls.internal.buffer.PooledBuffer;
import io.pgtls.internal.pg.BackendKeyMinter;
import io.pgtls.internal.pg.BackendKeyRewrite;
import io.pgtls.internal.pg.CancelKeys;
import io.pgtls.internal.pg.StartupCodes;
import io.pgtls.internal.route.CompiledListener;
import io.pgtls.internal.route.CompiledRoute;
import io.pgtls.internal.route.SharedLimits;
import io.pgtls.internal.tls.TlsSession;
import io.pgtls.tls.TestMaterialFiles;
import io.pgtls.tls.TlsContexts;
import io.pgtls.tls.TlsMaterial;
import io.pgtls.tls.TrustMaterial;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The relay's drain, over in-memory pipes with a scripted client and backend: a session is ended
 * (a FATAL to the client, a Terminate to the backend) only where it is idle, or at the drain's
 * deadline, and never with a message of pgtls's inside one of theirs. Deadlines are given as
 * already passed or far away, and the stage's {@code onDeadline} is called as the driver's timer
 * would call it: nothing waits on a clock.
 */
class RelayDrainTest {
  private static final byte[] STARTUP = Packets.startup(StartupCodes.PROTOCOL_3_0, "user", "alice", "database", "db");
  private static final byte[] TERMINATE = {'X', 0, 0, 0, 4};
  private static final Rejection FATAL = Refusals.drained("old", "was removed by a configuration reload");
  private static final long FAR_AWAY = System.nanoTime() + 3_600_000_000_000L;

  @TempDir static Path dir;
  private static CompiledRoute route;
  private static SSLContext clientContext;
  private static SSLContext serverContext;

  private final BufferPool pool = new BufferPool();
  private final List<PooledBuffer> buffers = new ArrayList<>();
  private MemoryPipe clientPipe;
  private MemoryPipe backendPipe;
  private Leg client;
  private Leg backend;
  private FarEnd clientFar;
  private FarEnd backendFar;
  private Relay relay;

  @BeforeAll
  static void routeAndTls() throws Exception {
    TestMaterialFiles files = TestMaterialFiles.write(dir);
    Listener listener = Listener.builder("127.0.0.1:0").tls(ListenerTls.pem(files.serverCertificate, files.serverKey))
        .route(Route.builder("old").backend("localhost:5432").build()).build();
    route = CompiledListener.compile(listener, SharedLimits.of(10, ClientLimits.defaults()), CancelKeys.random())
        .routes().get(0);
    clientContext = TlsContexts.client(TrustMaterial.load(files.caCertificate), null);
    serverContext = TlsContexts.server(TlsMaterial.load(files.serverCertificate, files.serverKey), null);
  }

  @AfterEach
  void everyBufferGoesBack() {
    buffers.forEach(PooledBuffer::release);
  }

  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 1 << 16})
  void anIdleSessionIsDrainedAtOnceTheClientHearingOnlyTheFatalAndTheBackendOnlyATerminate(int chunk)
      throws IOException {
    open(chunk, false);
    login();
    int clientHad = clientFar.received().length;
    int backendHad = backendFar.received().length;

    relay.drain(FATAL, FAR_AWAY);
    Outcome o = settle();

    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
    assertThat(o.rejection()).as("for the driver to count").isSameAs(FATAL);
    assertThat(o.reason()).startsWith("drained: pgtls route 'old' was removed by a configuration reload");
    closeGracefully(o);
    assertThat(since(clientFar, clientHad)).isEqualTo(FATAL.errorResponse());
    assertThat(since(backendFar, backendHad)).isEqualTo(TERMINATE);
    assertThat(clientFar.ended()).as("the client's leg closed").isTrue();
    assertThat(backendFar.ended()).as("the backend's leg closed").isTrue();
  }

  @Test
  void anIdleSessionOverTlsIsDrainedWithTheFatalInsideTlsThenCloseNotify() throws IOException {
    open(5, true);
    login();
    int clientHad = clientFar.received().length;

    relay.drain(FATAL, FAR_AWAY);
    Outcome o = settle();

    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
    closeGracefully(o);
    assertThat(since(clientFar, clientHad)).isEqualTo(FATAL.errorResponse());
    assertThat(backendFar.received()).endsWith(TERMINATE);
    assertThat(clientFar.ended()).isTrue();
  }

  @Test
  void aDrainAskedDuringTheLoginWaitsForTheLoginsReadyForQuery() throws IOException {
    open(3, false);
    relay.drain(FATAL, FAR_AWAY);

    assertThat(settle().kind()).as("the StartupMessage is forwarded, and awaits its answer").isEqualTo(Outcome.Kind.WAIT);
    assertThat(backendFar.received()).isEqualTo(STARTUP);
    backendFar.send(msg('R', new byte[4]), msg('S', cstrings("server_version", "17.2")));
    assertThat(settle().kind()).isEqualTo(Outcome.Kind.WAIT);
    backendFar.send(msg('K', new byte[8]), ready('I'));

    Outcome o = settle();
    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
    closeGracefully(o);
    assertThat(clientFar.received()).endsWith(concat(ready('I'), FATAL.errorResponse()));
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 32})
  void aCancelKeyMintedToAnotherLengthDoesNotThrowTheFramingOff(int backendKeyLength) throws IOException {
    int mintedLength = backendKeyLength == 4 ? 32 : 4;
    BackendKeyRewrite rewrite = new BackendKeyRewrite((pid, key) -> new BackendKeyMinter.Minted(pid,
        new byte[mintedLength]));
    open(3, false, rewrite);
    relay.drain(FATAL, FAR_AWAY);
    settle();
    byte[] key = ByteBuffer.allocate(4 + backendKeyLength).putInt(4242).array();
    backendFar.send(msg('R', new byte[4]), msg('K', key), ready('I'));

    Outcome o = settle();

    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
    closeGracefully(o);
    byte[] minted = ByteBuffer.allocate(4 + mintedLength).putInt(4242).array();
    assertThat(clientFar.received()).isEqualTo(concat(msg('R', new byte[4]), msg('K', minted), ready('I'),
        FATAL.errorResponse()));
  }

  @Test
  void aSessionMidResultIsNotDrainedUntilItsReadyForQueryIdle() throws IOException {
    open(7, false);
    login();
    clientFar.send(query("select * from t"));
    settle();
    byte[] row = dataRow(300);
    byte[] answer = concat(msg('T', new byte[21]), row, row, msg('C', cstrings("SELECT 2")), ready('I'));
    int cut = 21 + 5 + row.length + 100; // inside the second DataRow
    backendFar.send(Arrays.copyOf(answer, cut));
    settle();

    relay.drain(FATAL, FAR_AWAY);
    assertThat(settle().kind()).as("rows are still coming").isEqualTo(Outcome.Kind.WAIT);
    backendFar.send(Arrays.copyOfRange(answer, cut, answer.length - 6));
    assertThat(settle().kind()).as("the command is complete, its ReadyForQuery is not").isEqualTo(Outcome.Kind.WAIT);
    backendFar.send(Arrays.copyOfRange(answer, answer.length - 6, answer.length));

    Outcome o = settle();
    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
    closeGracefully(o);
    assertThat(clientFar.received()).endsWith(concat(answer, FATAL.errorResponse()));
    assertThat(backendFar.received()).endsWith(concat(query("select * from t"), TERMINATE));
  }

  @Test
  void aSessionInsideATransactionIsNotDrainedEvenWhileNothingRuns() throws IOException {
    open(1 << 16, false);
    login();
    clientFar.send(query("begin"));
    settle();
    backendFar.send(msg('C', cstrings("BEGIN")), ready('T'));
    settle();
    int clientHad = clientFar.received().length;
    int backendHad = backendFar.received().length;

    relay.drain(FATAL, FAR_AWAY);

    assertThat(settle().kind()).isEqualTo(Outcome.Kind.WAIT);
    assertThat(clientFar.received()).hasSize(clientHad);
    assertThat(backendFar.received()).hasSize(backendHad);
    clientFar.send(query("select 1/0"));
    settle();
    backendFar.send(msg('E', cstrings("SERROR", "C22012", "Mdivision by zero", "")), ready('E'));
    assertThat(settle().kind()).as("a failed transaction is still one").isEqualTo(Outcome.Kind.WAIT);
    clientFar.send(query("rollback"));
    settle();
    backendFar.send(msg('C', cstrings("ROLLBACK")), ready('I'));
    assertThat(settle().kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
  }

  @Test
  void aQuerySentRightAfterReadyForQueryIdleBlocksTheDrainUntilItsOwnReadyForQuery() throws IOException {
    open(1 << 16, false);
    login();
    clientFar.send(query("select pg_sleep(60)"));

    relay.drain(FATAL, FAR_AWAY); // asked while the query is on its way: the relay reads it first

    assertThat(settle().kind()).isEqualTo(Outcome.Kind.WAIT);
    assertThat(backendFar.received()).endsWith(query("select pg_sleep(60)"));
    backendFar.send(msg('C', cstrings("SELECT 1")), ready('I'));
    Outcome o = settle();
    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
    closeGracefully(o);
    assertThat(clientFar.received()).endsWith(concat(ready('I'), FATAL.errorResponse()));
  }

  @Test
  void aPipelinedQueryKeepsTheDrainWaitingAfterTheFirstQuerysReadyForQuery() throws IOException {
    open(1 << 16, false);
    login();
    clientFar.send(query("select 1"), query("update t set n = n + 1"));
    settle();
    relay.drain(FATAL, FAR_AWAY);

    backendFar.send(msg('C', cstrings("SELECT 1")), ready('I'));
    assertThat(settle().kind()).as("the update runs: cutting now would leave its fate unknown")
        .isEqualTo(Outcome.Kind.WAIT);
    backendFar.send(msg('C', cstrings("UPDATE 1")), ready('I'));

    assertThat(settle().kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
  }

  @Test
  void theDrainDeadlineEndsABusySessionWithTheFatalAndTheTerminate() throws IOException {
    open(7, false);
    login();
    clientFar.send(query("select pg_sleep(3600)"));
    settle();
    long passed = System.nanoTime() - 1;

    relay.drain(FATAL, passed);

    assertThat(relay.deadline()).isEqualTo(passed);
    assertThat(settle().kind()).as("not idle: only the deadline ends it").isEqualTo(Outcome.Kind.WAIT);
    Outcome o = relay.onDeadline(ConnectionState.RELAYING);
    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
    assertThat(o.rejection()).isSameAs(FATAL);
    closeGracefully(o);
    assertThat(clientFar.received()).endsWith(concat(ready('I'), FATAL.errorResponse()));
    assertThat(backendFar.received()).endsWith(concat(query("select pg_sleep(3600)"), TERMINATE));
  }

  @Test
  void theDeadlineNeverPutsTheFatalInsideAMessageTheClientIsReceiving() throws IOException {
    open(7, false);
    login();
    clientFar.send(query("select * from big"));
    settle();
    byte[] halfARow = Arrays.copyOf(dataRow(1000), 400);
    backendFar.send(halfARow);
    settle();
    int clientHad = clientFar.received().length;

    relay.drain(FATAL, System.nanoTime() - 1);
    closeGracefully(relay.onDeadline(ConnectionState.RELAYING));

    assertThat(since(clientFar, clientHad)).as("nothing after the half row").isEmpty();
    assertThat(clientFar.received()).endsWith(halfARow);
    assertThat(clientFar.ended()).isTrue();
    assertThat(backendFar.received()).endsWith(TERMINATE);
  }

  @Test
  void theDeadlineNeverPutsATerminateInsideAMessageTheBackendIsReceiving() throws IOException {
    open(7, false);
    login();
    byte[] halfAParse = Arrays.copyOf(msg('P', cstrings("", "select 1", "")), 9);
    clientFar.send(halfAParse);
    settle();
    int backendHad = backendFar.received().length;

    relay.drain(FATAL, System.nanoTime() - 1);
    closeGracefully(relay.onDeadline(ConnectionState.RELAYING));

    assertThat(since(backendFar, backendHad)).as("its leg just closes").isEmpty();
    assertThat(backendFar.received()).endsWith(halfAParse);
    assertThat(backendFar.ended()).isTrue();
    assertThat(clientFar.received()).endsWith(FATAL.errorResponse());
  }

  @Test
  void aSessionWithNoDrainAskedRelaysAndEndsAsBefore() throws IOException {
    open(7, false);
    login();
    byte[] answer = concat(msg('T', new byte[21]), dataRow(50), msg('C', cstrings("SELECT 1")), ready('I'));
    clientFar.send(query("select 1"));
    settle();
    backendFar.send(answer);

    assertThat(settle().kind()).as("idle, and left alone").isEqualTo(Outcome.Kind.WAIT);
    assertThat(relay.deadline()).isEqualTo(Stage.NO_DEADLINE);
    assertThat(relay.onDeadline(ConnectionState.RELAYING).kind()).isEqualTo(Outcome.Kind.WAIT);
    assertThat(clientFar.received()).endsWith(answer);
    assertThat(relay.toString()).doesNotContain("draining");
    clientFar.send(TERMINATE);
    clientFar.shutdown();
    Outcome o = settle();

    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_NOW);
    assertThat(o.reason()).isEqualTo("session ended (no close_notify)");
    assertThat(o.rejection()).isNull();
    assertThat(relay.endedFirst()).isEqualTo(ConnectionAudit.ClosedBy.CLIENT);
    assertThat(backendFar.received()).isEqualTo(concat(STARTUP, query("select 1"), TERMINATE));
  }

  // ---------------------------------------------------------------------------------------------
  // The session under test

  /** A relay between a client leg (TLS or not) and a plaintext backend leg, the StartupMessage waiting in c2b. */
  private void open(int chunk, boolean clientTls) throws IOException {
    open(chunk, clientTls, null);
  }

  private void open(int chunk, boolean clientTls, BackendKeyRewrite keyRewrite) throws IOException {
    clientPipe = new MemoryPipe(chunk);
    backendPipe = new MemoryPipe(chunk);
    client = new Leg("client", clientPipe.near(), pool);
    backend = new Leg("backend", backendPipe.near(), pool);
    backendFar = new PlainEnd(backendPipe.far());
    if (clientTls) {
      Leg far = new Leg("peer", clientPipe.far(), pool);
      far.startTls(new TlsSession(TlsContexts.clientEngine(clientContext, "localhost", 6432, true,
          List.of("TLSv1.3", "TLSv1.2"))));
      client.startTls(new TlsSession(TlsContexts.serverEngine(serverContext, false, List.of("TLSv1.3", "TLSv1.2"))));
      handshake(client, far);
      clientFar = new TlsEnd(far, buffer("peer-in"), buffer("peer-out"));
    } else {
      clientFar = new PlainEnd(clientPipe.far());
    }
    PooledBuffer c2b = buffer("c2b");
    PooledBuffer b2c = buffer("b2c");
    c2b.prepare().put(STARTUP);
    relay = new Relay(new ConnectionLog("test"), route, client, backend, c2b, b2c, new Relay.Traffic(), "alice", null,
        keyRewrite);
    relay.enter(ConnectionState.RELAYING, System.nanoTime());
  }

  /** The client's TLS handshake, done before the relay as the opening stages do it. */
  private void handshake(Leg near, Leg far) throws IOException {
    PooledBuffer scratch = buffer("handshake");
    for (int round = 0; round < 10_000 && !(near.handshakeComplete() && far.handshakeComplete()); round++) {
      for (Leg leg : List.of(near, far)) {
        leg.markReadable();
        if (leg.fill(scratch) == Leg.Progress.NEEDS_TASK) {
          leg.beginTasks().run();
          leg.tasksDone();
        }
        if (leg.hasPendingOutput()) {
          leg.drain(scratch); // nothing to encrypt: flushes the handshake's records
        }
      }
    }
    assertThat(near.handshakeComplete() && far.handshakeComplete()).as("handshake").isTrue();
    assertThat(scratch.isEmpty()).isTrue();
  }

  /** The login: the StartupMessage forwarded, the backend's welcome relayed up to ReadyForQuery 'I'. */
  private void login() throws IOException {
    settle();
    assertThat(backendFar.received()).isEqualTo(STARTUP);
    byte[] welcome = concat(msg('R', new byte[4]), msg('S', cstrings("server_version", "17.2")), msg('K', new byte[8]),
        ready('I'));
    backendFar.send(welcome);
    assertThat(settle().kind()).isEqualTo(Outcome.Kind.WAIT);
    assertThat(clientFar.received()).isEqualTo(welcome);
  }

  /**
   * Steps the relay as the driver would, the peers taking their turns, until it hands the
   * connection on or nothing moves any more; returns that outcome (WAIT when settled).
   */
  private Outcome settle() throws IOException {
    int still = 0;
    for (int round = 0; round < 1_000_000; round++) {
      long moved = clientPipe.moved() + backendPipe.moved();
      Outcome o = relay.step(ConnectionState.RELAYING);
      switch (o.kind()) {
        case RUN_TASKS:
          o.leg().beginTasks().run();
          o.leg().tasksDone();
          continue;
        case WAIT:
        case YIELD:
          break;
        default:
          return o;
      }
      clientFar.pump();
      backendFar.pump();
      client.markReadable();
      backend.markReadable();
      still = clientPipe.moved() + backendPipe.moved() == moved && o.kind() == Outcome.Kind.WAIT ? still + 1 : 0;
      if (still == 3) {
        return o;
      }
    }
    throw new AssertionError("the relay never settled: " + relay);
  }

  /** Closes as the driver does after CLOSE_GRACEFULLY: CLOSING flushes, sends FIN, awaits the peers' EOF. */
  private void closeGracefully(Outcome o) throws IOException {
    assertThat(o.kind()).isEqualTo(Outcome.Kind.CLOSE_GRACEFULLY);
    Closing closing = new Closing(o.reason(), client, backend);
    closing.enter(ConnectionState.CLOSING, System.nanoTime());
    for (int round = 0; round < 1_000_000; round++) {
      if (closing.step(ConnectionState.CLOSING).kind() == Outcome.Kind.CLOSE_NOW) {
        return;
      }
      clientFar.pump();
      backendFar.pump();
      client.markReadable();
      backend.markReadable();
    }
    throw new AssertionError("CLOSING never ended");
  }

  private PooledBuffer buffer(String name) {
    PooledBuffer b = new PooledBuffer(pool, true, name);
    buffers.add(b);
    return b;
  }

  private static byte[] since(FarEnd end, int from) {
    byte[] all = end.received();
    return Arrays.copyOfRange(all, from, all.length);
  }

  // ---------------------------------------------------------------------------------------------
  // The far ends: a PostgreSQL client and server as scripts

  /** The test's end of one pipe: sends what the script says, keeps what arrives, and answers EOF with its own. */
  private interface FarEnd {
    void send(byte[]... messages) throws IOException;

    /** Sends FIN (and close_notify under TLS). */
    void shutdown() throws IOException;

    /** Moves what can be moved now, both ways. */
    void pump() throws IOException;

    /** Everything received so far. */
    byte[] received();

    /** Whether the relay's side of the pipe has finished sending. */
    boolean ended();
  }

  private static final class PlainEnd implements FarEnd {
    private final MemoryPipe.End end;
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    private boolean ended;
    private boolean shut;

    PlainEnd(MemoryPipe.End end) {
      this.end = end;
    }

    /** Written at once: the bytes are on their way before the relay's next step. */
    @Override
    public void send(byte[]... messages) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(concat(messages));
      while (b.hasRemaining()) {
        end.write(b);
      }
    }

    @Override
    public void shutdown() {
      shut = true;
    }

    @Override
    public void pump() throws IOException {
      if (shut) {
        end.shutdownOutput();
      }
      ByteBuffer in = ByteBuffer.allocate(4096);
      while (!ended) {
        in.clear();
        int n = end.read(in);
        if (n > 0) {
          got.write(in.array(), 0, n);
        } else {
          if (n < 0) {
            ended = true;
            shut = true;
            end.shutdownOutput();
          }
          break;
        }
      }
    }

    @Override
    public byte[] received() {
      return got.toByteArray();
    }

    @Override
    public boolean ended() {
      return ended;
    }
  }

  /** A far end over TLS, using pgtls's own {@link Leg} for the records. */
  private static final class TlsEnd implements FarEnd {
    private final Leg leg;
    private final PooledBuffer in;
    private final PooledBuffer out;
    private final ByteArrayOutputStream got = new ByteArrayOutputStream();
    private boolean ended;
    private boolean shut;

    TlsEnd(Leg leg, PooledBuffer in, PooledBuffer out) {
      this.leg = leg;
      this.in = in;
      this.out = out;
    }

    /** Encrypted and written at once, as far as the pipe takes it. */
    @Override
    public void send(byte[]... messages) throws IOException {
      out.prepare().put(concat(messages));
      leg.drain(out);
    }

    @Override
    public void shutdown() {
      shut = true;
    }

    @Override
    public void pump() throws IOException {
      leg.markReadable();
      while (!ended) {
        Leg.Progress p = leg.fill(in);
        if (p == Leg.Progress.NEEDS_TASK) {
          leg.beginTasks().run();
          leg.tasksDone();
          continue;
        }
        ByteBuffer v = in.view();
        byte[] b = new byte[v.remaining()];
        v.get(b);
        got.writeBytes(b);
        in.release();
        if (p == Leg.Progress.ENDED) {
          ended = true;
          shut = true;
        }
        if (p != Leg.Progress.DONE && p != Leg.Progress.DESTINATION_FULL) {
          break;
        }
      }
      if (!out.isEmpty() || leg.hasPendingOutput()) {
        leg.drain(out);
      }
      if (shut) {
        leg.finishShutdown(); // close_notify, then FIN once it is all written
      }
    }

    @Override
    public byte[] received() {
      return got.toByteArray();
    }

    @Override
    public boolean ended() {
      return ended;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  private static byte[] msg(char type, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put((byte) type).putInt(4 + body.length).put(body).array();
  }

  private static byte[] ready(char status) {
    return msg('Z', new byte[] {(byte) status});
  }

  private static byte[] query(String sql) {
    return msg('Q', cstrings(sql));
  }

  private static byte[] dataRow(int bytes) {
    byte[] v = new byte[bytes];
    Arrays.fill(v, (byte) 'Z');
    return msg('D', ByteBuffer.allocate(6 + bytes).putShort((short) 1).putInt(bytes).put(v).array());
  }

  private static byte[] cstrings(String... s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String x : s) {
      out.writeBytes(x.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    return Packets.concat(parts);
  }
}
