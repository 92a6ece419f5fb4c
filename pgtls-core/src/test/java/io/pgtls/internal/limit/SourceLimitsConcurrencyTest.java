package io.pgtls.internal.limit;

import static io.pgtls.internal.limit.SourceLimitsTest.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several threads (as the selector loops are) opening and closing connections on a few addresses
 * at once, on a clock that stands still: no count is lost or doubled, the per-source cap lets
 * through exactly its number, a bucket gives exactly its burst, and the table ends empty.
 */
class SourceLimitsConcurrencyTest {
  private static final int THREADS = 8;

  private final FakeClock clock = new FakeClock();
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void racingOpensLetThroughExactlyTheCapAndRacingClosesEndAtZero() throws Exception {
    int perThread = 250;
    SourceLimits limits = new SourceLimits(new SourceLimits.Settings(1_000, 10, 10, 10, 10, 0), clock);
    InetAddress v4 = ip("10.0.0.1");
    InetAddress mapped = mapped(v4);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Source> all = new ArrayList<>();
    for (List<Source> opened : runOnAll(t -> {
      start.await();
      List<Source> mine = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        mine.add(limits.open(i % 2 == 0 ? v4 : mapped));
      }
      return mine;
    })) {
      all.addAll(opened);
    }
    assertThat(limits.connections(v4)).isEqualTo(THREADS * perThread);
    assertThat(all.stream().filter(s -> !s.overConnectionLimit()).count()).isEqualTo(1_000);

    runOnAll(t -> {
      start.await();
      for (int i = t; i < all.size(); i += THREADS) {
        all.get(i).close();
        // Every handle is closed a second time, by another thread.
        all.get((i + 1) % all.size()).close();
      }
      return null;
    });
    assertThat(limits.connections(v4)).isZero();
    assertThat(limits.trackedSources()).isZero();
  }

  @Test
  void churnOnAFewAddressesWithASweeperEndsWithAnEmptyTable() throws Exception {
    int burst = 50;
    SourceLimits limits = new SourceLimits(new SourceLimits.Settings(20, 1, burst, 1, burst, 30), clock);
    List<InetAddress> addresses = List.of(ip("10.0.0.1"), ip("10.0.0.2"), ip("2001:db8::1"), ip("10.0.0.3"));
    List<InetAddress> spellings = new ArrayList<>(addresses);
    spellings.add(mapped(ip("10.0.0.1")));
    spellings.add(mapped(ip("10.0.0.3")));
    AtomicBoolean churning = new AtomicBoolean(true);
    Future<Integer> sweeper = pool.submit(() -> {
      int sweeps = 0;
      while (churning.get()) {
        limits.sweep();
        sweeps++;
      }
      return sweeps;
    });
    CyclicBarrier start = new CyclicBarrier(THREADS - 1);
    List<int[]> handshakes = runOn(THREADS - 1, t -> {
      start.await();
      Random random = new Random(t);
      Deque<Source> open = new ArrayDeque<>();
      Deque<PendingSlot> slots = new ArrayDeque<>();
      int[] taken = new int[addresses.size()];
      for (int i = 0; i < 20_000; i++) {
        // More opens than closes, so that every address goes over its cap and the pending cap.
        int action = random.nextInt(10);
        if (action < 6 || open.isEmpty()) {
          Source s = limits.open(spellings.get(random.nextInt(spellings.size())));
          if (s.tryHandshake()) {
            taken[addresses.indexOf(s.address())]++;
          }
          s.tryCancel();
          s.admitSession();
          open.push(s);
          slots.push(limits.tryEnterPending());
        } else if (action < 8) {
          open.pollLast().close();
          slots.pollLast().release();
        } else {
          Source newest = open.pop();
          newest.close();
          newest.close();
          PendingSlot slot = slots.pop();
          slot.release();
          slot.release();
        }
      }
      open.forEach(Source::close);
      slots.forEach(PendingSlot::release);
      return taken;
    });
    churning.set(false);
    assertThat(sweeper.get()).isPositive();

    for (int a = 0; a < addresses.size(); a++) {
      int total = 0;
      for (int[] taken : handshakes) {
        total += taken[a];
      }
      assertThat(total).as("handshakes taken from %s on a still clock", addresses.get(a)).isEqualTo(burst);
      assertThat(limits.connections(addresses.get(a))).isZero();
    }
    assertThat(limits.pending()).isZero();
    assertThat(limits.refusals().get("per_source_connections")).isPositive();
    assertThat(limits.refusals().get("pending_connections")).isPositive();
    assertThat(limits.trackedSources()).as("kept while their buckets refill").isEqualTo(addresses.size());
    clock.advance(1, TimeUnit.HOURS);
    assertThat(limits.sweep()).isEqualTo(addresses.size());
    assertThat(limits.trackedSources()).isZero();
  }

  /** A task run by one thread; {@code t} numbers the thread from 0. */
  interface Task<T> {
    T run(int t) throws Exception;
  }

  private <T> List<T> runOnAll(Task<T> task) throws Exception {
    return runOn(THREADS, task);
  }

  private <T> List<T> runOn(int threads, Task<T> task) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int n = t;
      Callable<T> c = () -> task.run(n);
      futures.add(pool.submit(c));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get());
    }
    return results;
  }

  private static InetAddress mapped(InetAddress v4) throws Exception {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    System.arraycopy(v4.getAddress(), 0, b, 12, 4);
    return Inet6Address.getByAddress(null, b, -1);
  }
}
