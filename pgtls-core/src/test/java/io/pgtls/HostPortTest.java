package io.pgtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** How addresses are written: host:port everywhere, and for a backend the Unix-domain socket forms of libpq. */
class HostPortTest {

  @ParameterizedTest
  @CsvSource({
      "/var/run/postgresql/.s.PGSQL.5432, /var/run/postgresql, 5432",
      "/var/run/postgresql:5433,          /var/run/postgresql, 5433",
      "/var/run/postgresql,               /var/run/postgresql, 5432",
      "/var/run/postgresql/,              /var/run/postgresql, 5432",
      "/var/run/postgresql/:6000,         /var/run/postgresql, 6000",
      "/.s.PGSQL.5432,                    /,                   5432",
  })
  void everyLibpqFormOfASocketNamesItsDirectoryAndPort(String text, String directory, int port) {
    HostPort socket = HostPort.parseBackend(text);

    assertThat(socket.isUnixSocket()).isTrue();
    assertThat(socket.host()).isEqualTo(directory);
    assertThat(socket.port()).isEqualTo(port);
    assertThat(socket.isIpLiteral()).isFalse();
  }

  @Test
  void theThreeFormsOfOneSocketAreEqualAndPrintAsItsFile() {
    HostPort file = HostPort.parseBackend("/run/pg/.s.PGSQL.5432");

    assertThat(HostPort.parseBackend("/run/pg:5432")).isEqualTo(file).hasSameHashCodeAs(file);
    assertThat(HostPort.parseBackend("/run/pg")).isEqualTo(file);
    assertThat(file).hasToString("/run/pg/.s.PGSQL.5432");
    assertThat(file.socketPath()).isEqualTo(Path.of("/run/pg/.s.PGSQL.5432"));
    assertThat(file.toUnixDomainAddress()).isEqualTo(UnixDomainSocketAddress.of("/run/pg/.s.PGSQL.5432"));
  }

  @Test
  void socketPathsDifferingOnlyInCaseAreDifferentSockets() {
    assertThat(HostPort.parseBackend("/run/PG")).isNotEqualTo(HostPort.parseBackend("/run/pg"));
    assertThat(HostPort.parseBackend("DB.example.com:5432")).isEqualTo(HostPort.parseBackend("db.example.com:5432"));
  }

  @Test
  void aSocketFileWithAPortTooIsAmbiguousAndRefused() {
    assertThatThrownBy(() -> HostPort.parseBackend("/run/pg/.s.PGSQL.5432:5433"))
        .hasMessage("'/run/pg/.s.PGSQL.5432:5433' names a socket file and a port; write the socket file "
            + "/run/pg/.s.PGSQL.5432 alone, or its directory and port /run/pg:5433");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/run/pg:abc", "/run/a:b/pg", "/run/pg:", "/run/pg:123456"})
  void aColonThatIsNotAPortSeparatorIsRefused(String text) {
    assertThatThrownBy(() -> HostPort.parseBackend(text))
        .hasMessageStartingWith("'" + text + "' is neither a Unix-domain socket path nor path:port");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/run/pg/.s.PGSQL.", "/run/pg/.s.PGSQL.x5432"})
  void aSocketFileNameWithoutAPortIsRefused(String text) {
    assertThatThrownBy(() -> HostPort.parseBackend(text))
        .hasMessageStartingWith("'" + text + "' is not a PostgreSQL socket file");
  }

  @Test
  void aSocketPathWhereOnlyTcpIsPossibleIsRefused() {
    assertThatThrownBy(() -> HostPort.parse("/run/pg:5432"))
        .hasMessageStartingWith("'/run/pg:5432' is a Unix-domain socket path; only a backend address may be one");
  }

  @Test
  void tcpAddressesReadTheSameAsBackendAddresses() {
    assertThat(HostPort.parseBackend("[::1]:5432")).isEqualTo(HostPort.parse("[::1]:5432"));
    assertThat(HostPort.parseBackend("db:5432").isUnixSocket()).isFalse();
    assertThatThrownBy(() -> HostPort.parseBackend("db")).hasMessageContaining("is not host:port");
    assertThatThrownBy(() -> HostPort.parse("db:5432").socketPath()).isInstanceOf(IllegalStateException.class);
  }
}
