package io.pgtls.internal.limit;

import static io.pgtls.internal.limit.SourceLimitsTest.ip;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Refusal lines at most once a second per reason and address, with what was held back counted, on a still clock. */
class RateLimitedLogTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final FakeClock clock = new FakeClock();
  private final Logger logger = (Logger) LoggerFactory.getLogger(RateLimitedLogTest.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @BeforeEach
  void capture() {
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
    logger.setAdditive(true);
  }

  @Test
  void aFloodFromOneAddressWritesOneLineASecondAndCountsTheRest() throws Exception {
    RateLimitedLog log = new RateLimitedLog(logger, clock);
    InetAddress flood = ip("127.0.0.2");
    for (int i = 0; i < 734; i++) {
      log.refused(LimitRefusal.HANDSHAKE_RATE, flood, () -> "refused a handshake from 127.0.0.2");
    }
    clock.advanceMillis(999);
    assertThat(log.refused(LimitRefusal.HANDSHAKE_RATE, flood, () -> "still held back")).isFalse();
    clock.advanceMillis(1);
    assertThat(log.refused(LimitRefusal.HANDSHAKE_RATE, flood, () -> "refused a handshake from 127.0.0.2")).isTrue();
    assertThat(lines()).containsExactly("refused a handshake from 127.0.0.2",
        "refused a handshake from 127.0.0.2 (and 734 more from 127.0.0.2 in the last 1.0 s)");
    assertThat(appender.list).allMatch(e -> e.getLevel() == Level.WARN);
  }

  @Test
  void aHeldBackLineIsNeverBuilt() throws Exception {
    RateLimitedLog log = new RateLimitedLog(logger, clock);
    AtomicInteger built = new AtomicInteger();
    for (int i = 0; i < 100; i++) {
      log.refused(LimitRefusal.CANCEL_RATE, ip("10.0.0.1"), () -> "line " + built.incrementAndGet());
    }
    assertThat(built).hasValue(1);
  }

  @Test
  void eachReasonAndAddressHasItsOwnSecondButBothFormsOfAnAddressShareOne() throws Exception {
    RateLimitedLog log = new RateLimitedLog(logger, clock);
    assertThat(log.refused(LimitRefusal.HANDSHAKE_RATE, ip("10.0.0.1"), () -> "a")).isTrue();
    assertThat(log.refused(LimitRefusal.HANDSHAKE_RATE, ip("::ffff:10.0.0.1"), () -> "a again")).isFalse();
    assertThat(log.refused(LimitRefusal.CANCEL_RATE, ip("10.0.0.1"), () -> "b")).isTrue();
    assertThat(log.refused(LimitRefusal.HANDSHAKE_RATE, ip("10.0.0.2"), () -> "c")).isTrue();
    assertThat(lines()).containsExactly("a", "b", "c");
  }

  @Test
  void whatIsHeldBackWhenAnAddressGoesQuietIsWrittenBySweep() throws Exception {
    RateLimitedLog log = new RateLimitedLog(logger, clock);
    for (int i = 0; i < 6; i++) {
      log.refused(LimitRefusal.HANDSHAKE_RATE, ip("127.0.0.2"), () -> "refused");
    }
    log.refused(LimitRefusal.PENDING, ip("127.0.0.3"), () -> "refused, nothing held back");
    clock.advanceMillis(400);
    assertThat(log.sweep()).as("their second is not over").isZero();
    clock.advanceMillis(1_000);
    assertThat(log.sweep()).isEqualTo(2);
    assertThat(lines()).containsExactly("refused", "refused, nothing held back",
        "5 more handshake_rate refusals from 127.0.0.2 in the last 1.4 s");
    assertThat(log.keys()).isZero();
    assertThat(log.refused(LimitRefusal.HANDSHAKE_RATE, ip("127.0.0.2"), () -> "again")).isTrue();
    assertThat(lines()).last().isEqualTo("again");
  }

  @Test
  void aFloodFromManyAddressesSharesOneWindowPerReasonOnceTheTableIsFull() throws Exception {
    RateLimitedLog log = new RateLimitedLog(logger, clock, SECOND, 3);
    for (int i = 1; i <= 100; i++) {
      String from = "10.0.1." + i;
      log.refused(LimitRefusal.HANDSHAKE_RATE, ip(from), () -> "refused " + from);
    }
    assertThat(lines()).containsExactly("refused 10.0.1.1", "refused 10.0.1.2", "refused 10.0.1.3",
        "refused 10.0.1.4");
    assertThat(log.keys()).as("three addresses and the shared window").isEqualTo(4);
    clock.advanceMillis(1_000);
    log.refused(LimitRefusal.HANDSHAKE_RATE, ip("10.0.2.1"), () -> "refused 10.0.2.1");
    assertThat(lines()).as("the full table swept itself").endsWith(
        "96 more handshake_rate refusals from other addresses in the last 1.0 s", "refused 10.0.2.1");
    assertThat(log.keys()).isEqualTo(1);
  }

  @Test
  void toStringIsOneLine() throws Exception {
    RateLimitedLog log = new RateLimitedLog(logger, clock);
    log.refused(LimitRefusal.PENDING, ip("10.0.0.1"), () -> "x");
    assertThat(log).hasToString("RateLimitedLog[1 of 1000 pairs, " + RateLimitedLogTest.class.getName() + "]");
  }

  private List<String> lines() {
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList());
  }
}
