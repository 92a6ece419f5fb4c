package io.pgtls.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Runs in a child JVM (see {@link OtherClients#pgjdbc}): connects with pgjdbc to the URL in
 * {@code args[0]} as {@code args[1]}/{@code args[2]} and prints {@code inet_server_port()}.
 */
public final class PgjdbcPortMain {
  private PgjdbcPortMain() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select inet_server_port()")) {
      rs.next();
      System.out.println(rs.getInt(1));
    }
  }
}
