package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.testkit.junit.StartStop;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ways a connection can start, byte by byte, and cancel requests end to end. */
class StartupPathsTest {
  private static final byte[] SSL_REQUEST = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F};
  private static final byte[] GSSENC_REQUEST = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x30};
  private static final Fixture f = Fixture.get();

  @StartStop static final FixtureProxy proxy =
      FixtureProxy.of(() -> List.of(f.tlsRoute("tls").build(), f.plainRoute("plain").build()));

  private static Socket open() throws Exception {
    Socket s = new Socket("127.0.0.1", proxy.boundAddress("plain").getPort());
    s.setSoTimeout(10_000);
    s.setTcpNoDelay(true);
    return s;
  }

  @Test
  void gssencRequestIsAnsweredNAndTheFollowingSslRequestOnTheSameSocketGetsS() throws Exception {
    try (Socket s = open()) {
      s.getOutputStream().write(GSSENC_REQUEST);
      assertThat((char) s.getInputStream().read()).isEqualTo('N');
      s.getOutputStream().write(SSL_REQUEST);
      assertThat((char) s.getInputStream().read()).isEqualTo('S');
    }
  }

  @Test
  void sslRequestSentOneByteAtATimeIsStillAnswered() throws Exception {
    try (Socket s = open()) {
      OutputStream out = s.getOutputStream();
      for (byte b : SSL_REQUEST) {
        out.write(b);
        out.flush();
        Thread.sleep(20);
      }
      assertThat((char) s.getInputStream().read()).isEqualTo('S');
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "oversized", "undersized"})
  void garbageAndBadLengthsAreClosedWithoutAReplyLikePostgresDoes(String kind) throws Exception {
    byte[] bytes;
    if (kind.equals("oversized")) {
      bytes = ByteBuffer.allocate(8).putInt(10005).putInt(196608).array();
    } else if (kind.equals("undersized")) {
      bytes = ByteBuffer.allocate(8).putInt(4).putInt(196608).array();
    } else {
      bytes = kind.getBytes(StandardCharsets.US_ASCII);
    }
    try (Socket s = open()) {
      s.getOutputStream().write(bytes);
      InputStream in = s.getInputStream();
      int first;
      try {
        first = in.read();
      } catch (java.net.SocketException reset) {
        first = -1; // closed with our bytes unread: a reset is a close too
      }
      assertThat(first).as("closed without a reply").isEqualTo(-1);
    }
    try (Connection c = Fixture.connect(proxy.boundAddress("plain"), f.verifyFull())) {
      assertThat(Fixture.query(c, "select 1")).isEqualTo("1");
    }
  }

  @Test
  void aClientThatSendsNothingIsNotAnsweredUntilItDoes() throws Exception {
    try (Socket s = open()) {
      s.setSoTimeout(300);
      assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "plain"})
  void pgjdbcQueryTimeoutCancelsTheQueryThroughThePlaintextCancelPath(String route) throws Exception {
    // pgjdbc sends its CancelRequest in plaintext on a new connection, whatever sslmode says.
    try (Connection c = Fixture.connect(proxy.boundAddress(route), f.verifyFull());
        Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      long start = System.nanoTime();
      assertThatThrownBy(() -> s.execute("select pg_sleep(60)"))
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
      assertThat((System.nanoTime() - start) / 1_000_000_000L).as("cancelled, not run to the end").isLessThan(30);
      assertThat(Fixture.query(c, "select 'still usable'")).isEqualTo("still usable");
    }
  }

  @Test
  void directTlsFromLibpq17NegotiatesAlpnAndWorks() throws Exception {
    // PostgreSQL 17's sslnegotiation=direct: the ClientHello comes first, no SSLRequest. Debian's
    // psql speaks it when run with the libpq 17 that ships in the embedded PostgreSQL archive.
    String conninfo = f.conninfo(proxy.boundAddress("plain"), "verify-full") + " sslnegotiation=direct";
    ClientTools.Result r = ClientTools.run(Map.of("PGPASSWORD", Fixture.PASSWORD,
        "LD_LIBRARY_PATH", f.postgres.libDirectory().toString()),
        ClientTools.require("psql"), "-X", "-A", "-t", "-d", conninfo, "-c", "select 'direct'");
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.stdout.strip()).isEqualTo("direct");
  }
}
