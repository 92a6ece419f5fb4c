package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.internal.tls.ClientHelloPeek.Reason;
import io.pgtls.internal.tls.ClientHelloPeek.Result;
import io.pgtls.internal.tls.ClientHelloPeek.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** Server names as PostgreSQL clients send them, including ones the JDK would refuse. */
class ClientHelloPeekNamesTest {
  static Result peek(byte[] bytes) {
    return ClientHelloPeek.peek(ByteBuffer.wrap(bytes));
  }

  static void replace(byte[] bytes, String from, String to) {
    byte[] f = from.getBytes(StandardCharsets.US_ASCII);
    byte[] t = to.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + f.length <= bytes.length; i++) {
      for (int j = 0; j < f.length; j++) {
        if (bytes[i + j] != f[j]) {
          continue outer;
        }
      }
      System.arraycopy(t, 0, bytes, i, t.length);
      return;
    }
    throw new AssertionError(from + " not found");
  }

  @Test
  void anUnderscoreNameTheJdkCannotSendComesThroughUnvalidated() throws Exception {
    byte[] hello = JdkHellos.hello("pg.primary", "postgresql");
    replace(hello, "pg.primary", "pg_primary");
    Result r = peek(hello);
    assertThat(r.verdict()).isEqualTo(Verdict.HELLO);
    assertThat(r.serverName()).isEqualTo("pg_primary");
  }

  @Test
  void theJdkRefusesTheNamesThisPeekPassesThrough() throws Exception {
    assertThatThrownBy(() -> new SNIHostName("pg_primary")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SNIHostName("db.example.com.")).isInstanceOf(IllegalArgumentException.class);
    byte[] hello = new ClientHelloBuilder().tls12Essentials().serverName("pg_primary").record();
    assertThat(peek(hello).serverName()).isEqualTo("pg_primary");
    assertThatThrownBy(() -> JdkHellos.serverReads(new SelfSignedContexts().server, hello))
        .isInstanceOf(SSLException.class).hasMessageContaining("pg_primary");
    byte[] dotted = new ClientHelloBuilder().tls12Essentials().serverName("db.example.com.").record();
    assertThatThrownBy(() -> JdkHellos.serverReads(new SelfSignedContexts().server, dotted))
        .isInstanceOf(SSLException.class).hasMessageContaining("db.example.com.");
  }

  @Test
  void aTrailingDotAsLibpqSendsItIsKept() {
    assertThat(peek(new ClientHelloBuilder().serverName("db.example.com.").record()).serverName())
        .isEqualTo("db.example.com.");
  }

  @Test
  void caseIsKeptAsSent() {
    assertThat(peek(new ClientHelloBuilder().serverName("A.DB.Test").record()).serverName()).isEqualTo("A.DB.Test");
  }

  @Test
  void dockerComposeNamesAndUtf8NamesComeThrough() {
    assertThat(peek(new ClientHelloBuilder().serverName("proj_db_1").record()).serverName()).isEqualTo("proj_db_1");
    assertThat(peek(new ClientHelloBuilder().serverName("bücher.test").record()).serverName()).isEqualTo("bücher.test");
  }

  @Test
  void anIpLiteralSentAsSniIsReportedAsSent() {
    assertThat(peek(new ClientHelloBuilder().serverName("127.0.0.1").record()).serverName()).isEqualTo("127.0.0.1");
  }

  @Test
  void aNameListWithoutHostNameGivesNoServerName() {
    byte[] list = {0, 6, 7, 0, 3, 'a', 'b', 'c'};
    Result r = peek(new ClientHelloBuilder().extension(0, list).record());
    assertThat(r.verdict()).isEqualTo(Verdict.HELLO);
    assertThat(r.serverName()).isNull();
  }

  @Test
  void aHostNameAfterAnEntryOfAnotherTypeIsFound() {
    byte[] list = {0, 11, 7, 0, 1, 'x', 0, 0, 4, 'a', '.', 'b', 'c'};
    assertThat(peek(new ClientHelloBuilder().extension(0, list).record()).serverName()).isEqualTo("a.bc");
  }

  @Test
  void twoHostNamesCouldBeReadDifferentlyByTheEngineSoAreMalformed() {
    byte[] list = {0, 10, 0, 0, 2, 'a', 'b', 0, 0, 2, 'c', 'd'};
    Result r = peek(new ClientHelloBuilder().extension(0, list).record());
    assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
    assertThat(r.message()).contains("two host_name");
  }

  @Test
  void twoServerNameExtensionsAreMalformed() {
    Result r = peek(new ClientHelloBuilder().serverName("a.test").serverName("b.test").record());
    assertThat(r.reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void anEmptyHostNameOrAnEmptyListIsMalformed() {
    assertThat(peek(new ClientHelloBuilder().extension(0, new byte[] {0, 3, 0, 0, 0}).record()).reason())
        .isEqualTo(Reason.MALFORMED);
    assertThat(peek(new ClientHelloBuilder().extension(0, new byte[] {0, 0}).record()).reason())
        .isEqualTo(Reason.MALFORMED);
    assertThat(peek(new ClientHelloBuilder().extension(0, new byte[0]).record()).reason())
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void alpnNamesAreReadInOrderAndAnEmptyNameIsMalformed() {
    assertThat(peek(new ClientHelloBuilder().alpn("h2", "postgresql").record()).alpnProtocols())
        .containsExactly("h2", "postgresql");
    assertThat(peek(new ClientHelloBuilder().extension(16, new byte[] {0, 1, 0}).record()).reason())
        .isEqualTo(Reason.MALFORMED);
    assertThat(peek(new ClientHelloBuilder().extension(16, new byte[] {0, 0}).record()).reason())
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void supportedVersionsWithGreaseStillOfferTls13AndAnOddListIsMalformed() {
    assertThat(peek(new ClientHelloBuilder().supportedVersions(0x0A0A, 0x0304, 0x0303).record()).offersTls13()).isTrue();
    assertThat(peek(new ClientHelloBuilder().supportedVersions(0x0303).record()).offersTls13()).isFalse();
    assertThat(peek(new ClientHelloBuilder().extension(43, new byte[] {3, 3, 4, 3}).record()).reason())
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void aTls12HelloWithoutAnyExtensionsBlockIsAHelloWithoutName() {
    Result r = peek(new ClientHelloBuilder().noExtensionsBlock().legacyVersion(0x0301).record());
    assertThat(r.verdict()).isEqualTo(Verdict.HELLO);
    assertThat(r.serverName()).isNull();
    assertThat(r.legacyVersion()).isEqualTo(0x0301);
  }

  @Test
  void theJdkServerAcceptsTheBuildersHelloAndReadsTheSameName() throws Exception {
    byte[] hello = new ClientHelloBuilder().tls12Essentials().serverName("b.db.test").alpn("postgresql").record();
    assertThat(peek(hello).serverName()).isEqualTo("b.db.test");
    assertThat(JdkHellos.serverReads(new SelfSignedContexts().server, hello)).containsExactly("b.db.test");
  }
}
