package io.pgtls.benchmarks;

import io.pgtls.internal.buffer.BufferPool;
import java.nio.ByteBuffer;
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

/** Borrowing and returning a pooled buffer, with and without zeroing (plaintext buffers are zeroed). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BufferPoolBenchmark {
  private final BufferPool pool = new BufferPool();

  @Benchmark
  public int borrowAndReturn() {
    ByteBuffer b = pool.borrow();
    int c = b.capacity();
    pool.release(b, false);
    return c;
  }

  @Benchmark
  public int borrowAndReturnZeroed() {
    ByteBuffer b = pool.borrow();
    int c = b.capacity();
    pool.release(b, true);
    return c;
  }
}
