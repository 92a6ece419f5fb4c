package io.pgtls.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** The audit logger's events, as the key-value pairs a JSON encoder writes; {@link #start()} to collect. */
final class AuditEvents extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("io.pgtls.audit");
  private final List<Map<String, String>> events = new CopyOnWriteArrayList<>();

  /** Collects from now on, until {@link #close()}. */
  static AuditEvents collect() {
    AuditEvents e = new AuditEvents();
    e.start();
    return e;
  }

  @Override
  public void start() {
    setName("audit-capture");
    super.start();
    logger.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent e) {
    Map<String, String> values = new LinkedHashMap<>();
    for (KeyValuePair kv : e.getKeyValuePairs()) {
      values.put(kv.key, String.valueOf(kv.value));
    }
    events.add(values);
  }

  /** Waits up to 10 s for an event that {@code which} accepts. */
  Map<String, String> await(Predicate<Map<String, String>> which) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (Map<String, String> e : events) {
        if (which.test(e)) {
          return e;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no such audit event among " + events);
  }

  /** The events so far. */
  List<Map<String, String>> all() {
    return List.copyOf(events);
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
