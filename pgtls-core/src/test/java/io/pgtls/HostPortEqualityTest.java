package io.pgtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** {@link HostPort} equality: host names fold ASCII case only, socket directories not at all. */
class HostPortEqualityTest {
  @TestFactory
  Stream<DynamicTest> aHostName() {
    return EqualityTable.of(HostPort.class, () -> HostPort.of("db.example.com", 5432))
        .same("from text", () -> HostPort.parse("db.example.com:5432"))
        .same("in upper case", () -> HostPort.parse("DB.Example.COM:5432"))
        .same("as a backend", () -> HostPort.parseBackend("db.example.com:5432"))
        .differs("host", "another name", () -> HostPort.of("db2.example.com", 5432))
        .differs("port", "6432", () -> HostPort.of("db.example.com", 6432))
        .tests();
  }

  @TestFactory
  Stream<DynamicTest> anIpv6Literal() {
    return EqualityTable.of(HostPort.class, () -> HostPort.parse("[2001:db8::a]:5432"))
        .same("with upper-case hex digits", () -> HostPort.parse("[2001:DB8::A]:5432"))
        .same("without brackets", () -> HostPort.of("2001:db8::a", 5432))
        .differs("host", "another address", () -> HostPort.parse("[2001:db8::b]:5432"))
        .differs("port", "6432", () -> HostPort.parse("[2001:db8::a]:6432"))
        .tests();
  }

  @TestFactory
  Stream<DynamicTest> aSocketDirectory() {
    return EqualityTable.of(HostPort.class, () -> HostPort.parseBackend("/var/run/postgresql"))
        .same("as its socket file", () -> HostPort.parseBackend("/var/run/postgresql/.s.PGSQL.5432"))
        .same("with a trailing slash", () -> HostPort.unixSocket("/var/run/postgresql/", 5432))
        .differs("host", "in upper case (file names are case-sensitive)",
            () -> HostPort.parseBackend("/var/run/PostgreSQL"))
        .differs("port", "6432", () -> HostPort.parseBackend("/var/run/postgresql:6432"))
        .tests();
  }

  @Test
  void aLongSIsNotAnSEvenThoughEqualsIgnoreCaseSaysSo() {
    // "ſ".equalsIgnoreCase("s") is true, but their lower cases, and so the hash codes, differ.
    assertThat(HostPort.of("ſ.example.com", 5432)).isNotEqualTo(HostPort.of("s.example.com", 5432));
  }

  @Test
  void aDottedCapitalIIsNotAnI() {
    assertThat(HostPort.of("İ.example.com", 5432)).isNotEqualTo(HostPort.of("i.example.com", 5432));
    assertThat(HostPort.of("ı.example.com", 5432)).isNotEqualTo(HostPort.of("I.example.com", 5432));
  }

  @Test
  void hostsThatAreEqualHaveEqualHashCodesWhateverTheirLetters() {
    String[] hosts = {"ſ", "s", "S", "İ", "i", "I", "ı", "K", "k", "k", "ß", "SS", "ǅ", "ǆ", "Ǆ"};
    for (String a : hosts) {
      for (String b : hosts) {
        HostPort x = HostPort.of(a + ".example.com", 1);
        HostPort y = HostPort.of(b + ".example.com", 1);
        if (x.equals(y)) {
          assertThat(x.hashCode()).as("%s and %s", x, y).isEqualTo(y.hashCode());
        }
      }
    }
  }
}
