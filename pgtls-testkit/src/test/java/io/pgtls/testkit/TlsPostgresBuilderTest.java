package io.pgtls.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** What a TlsPostgres.Builder builds keeps the settings the builder had at build(). */
class TlsPostgresBuilderTest {

  @Test
  void aBuilderReusedAfterBuildOrStartDoesNotChangeTheServerItBuilt() throws Exception {
    TlsPostgres.Builder builder =
        TlsPostgres.builder().user("first", "first-password").database("first")
            .postgres(b -> b.setting("work_mem", "5MB"));
    try (TlsPostgres first = builder.build()) {
      builder.postgres(b -> b.setting("work_mem", "7MB")); // between build() and start()
      first.start();
      builder.user("second", "second-password").database("second").requireClientCertificates(); // while it runs
      TlsPostgres second = builder.build();
      assertThat(second.user()).isEqualTo("second");
      assertThat(second.database()).isEqualTo("second");

      first.postgres().restart(); // a restart writes the server's settings again
      assertThat(first.user()).isEqualTo("first");
      assertThat(first.password()).isEqualTo("first-password");
      assertThat(first.database()).isEqualTo("first");
      assertThat(first.jdbcProperties()).doesNotContainKeys("sslcert", "sslkey");
      assertThat(first.conninfo()).contains(" user=first ").doesNotContain("sslcert");
      try (Connection c = DriverManager.getConnection(first.jdbcUrl(), first.jdbcProperties())) {
        assertThat(query(c, "select current_user")).isEqualTo("first");
        assertThat(query(c, "select current_database()")).isEqualTo("first");
        assertThat(query(c, "show work_mem")).isEqualTo("5MB");
      }
    }
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }
}
