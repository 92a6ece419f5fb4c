package io.pgtls.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.testkit.IssuedCertificate;
import io.pgtls.testkit.TlsPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** The test kit used the way an application's test would use it: one field, pgjdbc, verify-full. */
class StartStopTest {
  @StartStop static TlsPostgres db = TlsPostgres.builder().requireClientCertificates().build();

  /** A fresh one per test: started before each test, closed after it. */
  @StartStop TlsPostgres perTest = TlsPostgres.builder().plaintextBackendLeg().build();

  private static final List<TlsPostgres> perTestSeen = new ArrayList<>();

  @AfterAll
  static void perTestInstancesWereClosed() {
    // One per test (three tests), each a different instance, each closed after its test.
    assertThat(perTestSeen).hasSize(3).doesNotHaveDuplicates()
        .allSatisfy(t -> assertThat(t.toString()).contains("stopped"));
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void staticFieldGivesAVerifyFullMtlsDatabaseWithChannelBindingEndToEnd() throws Exception {
    Properties p = db.jdbcProperties();
    p.setProperty("channelBinding", "require"); // passes: pgtls shows PostgreSQL's own certificate
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
      assertThat(query(c, "select ssl from pg_stat_ssl where pid = pg_backend_pid()")).isEqualTo("t");
      assertThat(query(c, "select current_user")).isEqualTo(db.user());
    }
    perTestSeen.add(perTest);
  }

  @Test
  void instanceFieldIsStartedForEachTest() throws Exception {
    Properties p = perTest.jdbcProperties();
    try (Connection c = DriverManager.getConnection(perTest.jdbcUrl(), p)) {
      assertThat(query(c, "select ssl from pg_stat_ssl where pid = pg_backend_pid()")).as("plaintext backend leg")
          .isEqualTo("f");
    }
    perTestSeen.add(perTest);
  }

  @Test
  void theBadCertificatesAClientsTestsNeedAreRefused() throws Exception {
    perTestSeen.add(perTest);
    for (IssuedCertificate bad : List.of(db.pki().expiredClient(db.user()), db.pki().notYetValidClient(db.user()),
        db.pki().clientWithWrongKeyUsage(db.user()))) {
      Properties p = db.jdbcProperties();
      p.setProperty("sslcert", bad.certificateFile().toString());
      p.setProperty("sslkey", bad.pkcs8DerFile().toString());
      assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), p).close())
          .as(bad.toString()).isInstanceOf(PSQLException.class);
    }
  }
}
