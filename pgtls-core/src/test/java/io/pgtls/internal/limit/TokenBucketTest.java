package io.pgtls.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The token bucket on a clock the tests move: burst, refill, and no more than burst however long it waits. */
class TokenBucketTest {
  private final FakeClock clock = new FakeClock();

  @Test
  void aNewBucketIsFullAndGivesExactlyItsBurstAtOnce() {
    TokenBucket bucket = new TokenBucket(200, 1_000, clock);
    assertThat(bucket.isFull()).isTrue();
    assertThat(takeAll(bucket)).isEqualTo(1_000);
    assertThat(bucket.tryTake()).isFalse();
    assertThat(bucket.isFull()).isFalse();
    assertThat(bucket.available()).isZero();
  }

  @Test
  void refillIsAtTheRateNotAllAtOnce() {
    TokenBucket bucket = new TokenBucket(200, 1_000, clock);
    takeAll(bucket);
    clock.advanceMillis(4);
    assertThat(bucket.tryTake()).as("less than one 5 ms interval has passed").isFalse();
    clock.advanceMillis(1);
    assertThat(bucket.tryTake()).isTrue();
    assertThat(bucket.tryTake()).isFalse();
    clock.advanceMillis(100);
    assertThat(takeAll(bucket)).isEqualTo(20);
  }

  @Test
  void aLongIdleDoesNotSaveUpMoreThanTheBurst() {
    TokenBucket bucket = new TokenBucket(100, 200, clock);
    takeAll(bucket);
    clock.advance(1, TimeUnit.HOURS);
    assertThat(bucket.isFull()).isTrue();
    assertThat(takeAll(bucket)).isEqualTo(200);
  }

  @Test
  void isFullOnlyOnceEveryTakenTokenHasGrownBack() {
    TokenBucket bucket = new TokenBucket(10, 5, clock);
    assertThat(bucket.tryTake()).isTrue();
    assertThat(bucket.tryTake()).isTrue();
    clock.advanceMillis(100);
    assertThat(bucket.isFull()).isFalse();
    assertThat(bucket.available()).isEqualTo(4);
    clock.advanceMillis(100);
    assertThat(bucket.isFull()).isTrue();
    assertThat(bucket.available()).isEqualTo(5);
  }

  @Test
  void aFractionalRateRefillsOverSeveralSeconds() {
    TokenBucket bucket = new TokenBucket(0.5, 1, clock);
    assertThat(bucket.tryTake()).isTrue();
    clock.advanceMillis(1_999);
    assertThat(bucket.tryTake()).isFalse();
    clock.advanceMillis(1);
    assertThat(bucket.tryTake()).isTrue();
  }

  @Test
  void theWrapOfNanoTimeDoesNotEmptyOrFillTheBucket() {
    FakeClock nearWrap = new FakeClock(Long.MAX_VALUE - 2_000_000);
    TokenBucket bucket = new TokenBucket(1_000, 3, nearWrap);
    assertThat(takeAll(bucket)).isEqualTo(3);
    nearWrap.advanceMillis(2);
    assertThat(bucket.tryTake()).isTrue();
    nearWrap.advanceMillis(1);
    assertThat(nearWrap.getAsLong()).as("the clock has wrapped").isNegative();
    assertThat(bucket.tryTake()).isTrue();
    assertThat(bucket.tryTake()).isTrue();
    assertThat(bucket.tryTake()).isFalse();
    nearWrap.advanceMillis(3);
    assertThat(bucket.isFull()).isTrue();
  }

  @Test
  void threadsRacingForTokensGetExactlyTheBurstBetweenThem() throws Exception {
    TokenBucket bucket = new TokenBucket(1, 500, clock);
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> taken = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Callable<Integer> task = () -> {
          start.await();
          int n = 0;
          for (int i = 0; i < 200; i++) {
            n += bucket.tryTake() ? 1 : 0;
          }
          return n;
        };
        taken.add(pool.submit(task));
      }
      int total = 0;
      for (Future<Integer> f : taken) {
        total += f.get();
      }
      assertThat(total).isEqualTo(500);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ratesAndBurstsThatCannotWorkAreRefused() {
    assertThatThrownBy(() -> new TokenBucket(0, 1, clock)).hasMessageContaining("more than 0");
    assertThatThrownBy(() -> new TokenBucket(Double.NaN, 1, clock)).hasMessageContaining("more than 0");
    assertThatThrownBy(() -> new TokenBucket(2e9, 1, clock)).hasMessageContaining("at most 1e9");
    assertThatThrownBy(() -> new TokenBucket(10, 0, clock)).hasMessageContaining("burst must be at least 1");
    assertThatThrownBy(() -> new TokenBucket(1e-6, 100, clock)).hasMessageContaining("more than a year");
  }

  @Test
  void toStringIsOneLine() {
    TokenBucket bucket = new TokenBucket(200, 1_000, clock);
    bucket.tryTake();
    assertThat(bucket).hasToString("TokenBucket[200/s, burst 1000, 999 available]");
    assertThat(new TokenBucket(0.5, 1, clock)).hasToString("TokenBucket[0.5/s, burst 1, 1 available]");
  }

  private static int takeAll(TokenBucket bucket) {
    int n = 0;
    while (bucket.tryTake()) {
      n++;
    }
    return n;
  }
}
