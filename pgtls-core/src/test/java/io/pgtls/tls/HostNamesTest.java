package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;

import javax.net.ssl.SNIHostName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostNamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "10.0.0.255", "::1", "fe80::1%eth0", "2001:db8::5"})
  void ipLiteralsGetNoSni(String host) {
    assertThat(HostNames.isIpLiteral(host)).isTrue();
    assertThat(HostNames.sniFor(host)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "postgres", "db.example.com", "1.2.3.4.example", "256.1.1.1", "10.0.0"})
  void namesThatMerelyLookNumericAreNotIpLiterals(String host) {
    assertThat(HostNames.isIpLiteral(host)).isFalse();
    assertThat(HostNames.sniFor(host)).contains(new SNIHostName(host));
  }

  @ParameterizedTest
  @CsvSource({"[::1],::1", "db.example.com.,db.example.com", "' localhost ',localhost", "db,db"})
  void bracketsAndTrailingDotAreDropped(String raw, String normalized) {
    assertThat(HostNames.normalize(raw)).isEqualTo(normalized);
  }
}
