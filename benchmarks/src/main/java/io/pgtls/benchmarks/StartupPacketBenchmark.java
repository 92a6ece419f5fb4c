package io.pgtls.benchmarks;

import io.pgtls.internal.pg.FirstPacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Classifying a client's first packet and reading a StartupMessage's parameters. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StartupPacketBenchmark {
  private final ByteBuffer sslRequest = ByteBuffer.wrap(new byte[] {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F});
  private final ByteBuffer startup = startup("user", "alice", "database", "app", "application_name", "psql",
      "client_encoding", "UTF8");

  private static ByteBuffer startup(String... pairs) {
    StringBuilder b = new StringBuilder();
    for (String p : pairs) {
      b.append(p).append('\0');
    }
    b.append('\0');
    byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + body.length).putInt(8 + body.length).putInt(196608).put(body).flip();
  }

  @Benchmark
  public FirstPacket classifySslRequest() {
    return FirstPacket.peek(sslRequest);
  }

  @Benchmark
  public Map<String, String> startupParameters() {
    FirstPacket fp = FirstPacket.peek(startup);
    return FirstPacket.startupParameters(startup, fp.length());
  }
}
