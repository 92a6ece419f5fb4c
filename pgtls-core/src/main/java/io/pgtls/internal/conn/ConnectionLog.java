package io.pgtls.internal.conn;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The log of one connection: every line starts with its tag ({@code pgtls[proxy] route 'r'
 * conn#7 client=10.0.0.5:51234}). All stages write through one logger name, the driver's, so an
 * operator tunes a connection's lines in one place.
 */
final class ConnectionLog {
  private static final Logger LOG = LoggerFactory.getLogger("io.pgtls.internal.conn.ProxyConnection");

  private String tag;

  ConnectionLog(String tag) {
    this.tag = tag;
  }

  /** From now on lines start with {@code tag} (the route, once it is chosen). */
  void retag(String tag) {
    this.tag = tag;
  }

  String tag() {
    return tag;
  }

  boolean isDebugEnabled() {
    return LOG.isDebugEnabled();
  }

  void debug(String format, Object... args) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}: " + format, tagged(args));
    }
  }

  void info(String format, Object... args) {
    if (LOG.isInfoEnabled()) {
      LOG.info("{}: " + format, tagged(args));
    }
  }

  void warn(String format, Object... args) {
    if (LOG.isWarnEnabled()) {
      LOG.warn("{}: " + format, tagged(args));
    }
  }

  /**
   * Logs why the connection fails — an I/O or TLS failure of one side at INFO (peers go away all
   * the time), anything else as an internal error with its stack trace and {@code dump} — and
   * returns the reason to close with.
   */
  String failed(Throwable e, ConnectionState state, Object dump) {
    if (e instanceof LegIOException) {
      LegIOException l = (LegIOException) e;
      info("{} I/O error in {}: {}", l.side(), state, l.failure().toString());
      return l.side() + " error: " + l.getMessage();
    }
    if (e instanceof IOException) {
      info("connection I/O error in {}: {}", state, e.toString());
    } else {
      LOG.error("{}: internal error in {} ({})", tag, state, dump, e);
    }
    return "connection error: " + e.getMessage();
  }

  void at(Level level, String line) {
    LOG.atLevel(level).log("{}: {}", tag, line);
  }

  private Object[] tagged(Object[] args) {
    Object[] all = new Object[args.length + 1];
    all[0] = tag;
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
  }

  @Override
  public String toString() {
    return tag;
  }
}
