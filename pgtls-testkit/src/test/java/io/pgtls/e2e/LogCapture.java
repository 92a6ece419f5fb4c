package io.pgtls.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Collects what pgtls logs, so a test can assert the line an operator would read. */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Logger logger;

  private LogCapture(String loggerName) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    setName("capture");
    start();
    logger.addAppender(this);
  }

  /** Captures what the named logger logs. */
  static LogCapture of(String loggerName) {
    return new LogCapture(loggerName);
  }

  /** Captures the proxy's connection log lines. */
  static LogCapture connections() {
    return new LogCapture("io.pgtls.internal.conn.ProxyConnection");
  }

  @Override
  protected void append(ILoggingEvent e) {
    lines.add(e.getLevel() + " " + e.getFormattedMessage());
  }

  /** Waits up to 10 s for a line containing {@code text}; returns all lines for the assertion. */
  String awaitLine(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (lines.stream().anyMatch(l -> l.contains(text))) {
        break;
      }
      Thread.sleep(10);
    }
    return lines.stream().collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    stop();
  }
}
