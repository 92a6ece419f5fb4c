package io.pgtls.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.testkit.junit.StartStop;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Hundreds of megabytes each way through the proxy, checksummed against the source, and many
 * clients at once: nothing lost, nothing reordered, every pooled buffer returned afterwards.
 */
class NoDataLostTest {
  /** 1,600,000 rows of 129 bytes: about 200 MB each way. */
  private static final int ROWS = 1_600_000;

  private static final Fixture f = Fixture.get();

  @StartStop static final FixtureProxy proxy =
      FixtureProxy.of(() -> List.of(f.tlsRoute("tls").build(), f.plainRoute("plain").build()));

  @AfterAll
  static void noConnectionOrBufferIsLeftBehind() throws Exception {
    // Every session has ended: the proxy holds no connection and no buffer.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((proxy.activeConnections() > 0 || proxy.buffersInUse() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(proxy.activeConnections()).as("open connections").isZero();
    assertThat(proxy.buffersInUse()).as("pooled buffers not returned").isZero();
  }

  /** Row i of the test data: deterministic, so a checksum can be computed without the database. */
  private static String row(int i) {
    return i + "\t" + "x".repeat(i % 7) + Integer.toHexString(i) + "\t"
        + "payload-".repeat(13).substring(0, 100 - (i % 7)) + "\n";
  }

  private static final String SOURCE_SQL = "select i, repeat('x', i % 7) || to_hex(i), "
      + "substr(repeat('payload-', 13), 1, 100 - (i % 7)) from generate_series(1, " + ROWS + ") i";

  @ParameterizedTest
  @ValueSource(strings = {"tls", "plain"})
  void copyOutOfHundredsOfMegabytesMatchesTheDirectChecksum(String route) throws Exception {
    String viaProxy;
    try (Connection c = Fixture.connect(proxy.boundAddress(route), f.verifyFull())) {
      viaProxy = CopyChecksums.sha256(c, "copy (" + SOURCE_SQL + ") to stdout");
    }
    String direct;
    try (Connection c = f.connectDirect()) {
      direct = CopyChecksums.sha256(c, "copy (" + SOURCE_SQL + ") to stdout");
    }
    assertThat(viaProxy).isEqualTo(direct);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "plain"})
  void copyInOfHundredsOfMegabytesArrivesIntact(String route) throws Exception {
    String table = "copy_in_" + route;
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    try (Connection c = Fixture.connect(proxy.boundAddress(route), f.verifyFull())) {
      try (Statement s = c.createStatement()) {
        s.execute("drop table if exists " + table);
        s.execute("create unlogged table " + table + " (n int, a text, b text)");
      }
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      long rows = copy.copyIn("copy " + table + " from stdin", new InputStream() {
        private int next = 1;
        private byte[] current = new byte[0];
        private int pos;

        @Override
        public int read() {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          if (pos == current.length) {
            if (next > ROWS) {
              return -1;
            }
            current = row(next++).getBytes(StandardCharsets.UTF_8);
            sent.update(current);
            pos = 0;
          }
          int n = Math.min(len, current.length - pos);
          System.arraycopy(current, pos, b, off, n);
          pos += n;
          return n;
        }
      });
      assertThat(rows).isEqualTo(ROWS);
    }
    String stored;
    try (Connection c = f.connectDirect()) {
      stored = CopyChecksums.sha256(c, "copy (select * from " + table + " order by n) to stdout");
      try (Statement s = c.createStatement()) {
        s.execute("drop table " + table);
      }
    }
    assertThat(stored).isEqualTo(HexFormat.of().formatHex(sent.digest()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"tls", "plain"})
  void fiftyConcurrentClientsEachGetTheirOwnAnswers(String route) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int client = 0; client < 50; client++) {
        int id = client;
        results.add(pool.submit(() -> {
          int checked = 0;
          try (Connection c = Fixture.connect(proxy.boundAddress(route), f.verifyFull());
              Statement s = c.createStatement()) {
            for (int q = 0; q < 20; q++) {
              int n = id * 1000 + q;
              try (ResultSet rs = s.executeQuery("select " + n + ", md5('" + n + "'), repeat('z', " + (n % 5000) + ")")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(n);
                assertThat(rs.getString(2)).isEqualTo(md5(Integer.toString(n)));
                assertThat(rs.getString(3)).hasSize(n % 5000);
                checked++;
              }
            }
          }
          return checked;
        }));
      }
      for (Future<Integer> r : results) {
        assertThat(r.get(120, TimeUnit.SECONDS)).isEqualTo(20);
      }
    } finally {
      pool.shutdownNow();
    }
  }


  private static String md5(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

}
