package io.pgtls.interop;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/** pgjdbc in this JVM, with PostgreSQL's negotiation or with {@code sslNegotiation=direct}. */
final class PgjdbcClient implements InteropClient {
  private final boolean direct;

  PgjdbcClient(boolean direct) {
    this.direct = direct;
  }

  @Override
  public String name() {
    return direct ? "pgjdbc (sslNegotiation=direct)" : "pgjdbc";
  }

  @Override
  public void requireInstalled() {
    // On the test classpath.
  }

  @Override
  public Outcome query(Endpoint endpoint, String sql) {
    long started = System.nanoTime();
    try (Connection c = connect(endpoint)) {
      String value = single(c, sql);
      return new Outcome(true, value, "", since(started));
    } catch (SQLException e) {
      return new Outcome(false, null, Errors.describe(e), since(started));
    }
  }

  @Override
  public Outcome cancel(Endpoint endpoint, String sql, Runnable running) {
    long started = System.nanoTime();
    try (Connection c = connect(endpoint); Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      try {
        s.execute(sql);
        return new Outcome(true, "not cancelled", "", since(started));
      } catch (SQLException cancelled) {
        Outcome o = new Outcome(false, null, Errors.describe(cancelled), since(started));
        // The connection outlives the cancel: it answers the next statement.
        single(c, "select 1");
        return o;
      }
    } catch (SQLException e) {
      return new Outcome(false, null, "unexpected: " + Errors.describe(e), since(started));
    }
  }

  @Override
  public String cancelMechanism() {
    return "Statement.setQueryTimeout: a CancelRequest in plaintext on a new connection, whatever sslmode says";
  }

  @Override
  public boolean directTls() {
    return direct;
  }

  @Override
  public boolean canRequireChannelBinding() {
    return true;
  }

  @Override
  public String untrustedServerError() {
    return "unable to find valid certification path";
  }


  private Connection connect(Endpoint e) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", e.user());
    p.setProperty("password", e.password());
    p.setProperty("connectTimeout", "20");
    if (!e.encrypted()) {
      p.setProperty("sslmode", "disable");
    } else {
      p.setProperty("sslmode", "verify-full");
      p.setProperty("sslrootcert", e.rootCertificate().toString());
      if (direct) {
        p.setProperty("sslNegotiation", "direct");
      }
      if (e.requireChannelBinding()) {
        p.setProperty("channelBinding", "require");
      }
      if (e.clientCertificate() != null) {
        p.setProperty("sslcert", e.clientCertificate().toString());
        p.setProperty("sslkey", e.clientKeyPkcs8Der().toString());
      } else {
        // Without sslcert pgjdbc looks for ~/.postgresql/postgresql.crt; name a file that is not there.
        p.setProperty("sslcert", e.rootCertificate().resolveSibling("no-such-client.crt").toString());
      }
    }
    return DriverManager.getConnection("jdbc:postgresql://" + e.host() + ":" + e.port() + "/" + e.database(), p);
  }

  private static String single(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Duration since(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }
}
