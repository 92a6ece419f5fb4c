package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.tls.ClientHelloPeek.Result;
import io.pgtls.internal.tls.ClientHelloPeek.Verdict;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peek against ClientHellos written by the JDK's own client engine. */
class ClientHelloPeekJdkTest {
  static Result peek(byte[] bytes) {
    return ClientHelloPeek.peek(ByteBuffer.wrap(bytes));
  }

  @Test
  void serverNameAndAlpnOfADefaultTlsClientAreReadAndTheSpanIsTheWholeFlight() throws Exception {
    byte[] hello = JdkHellos.hello("a.db.test", "postgresql");
    Result r = peek(hello);
    assertThat(r.verdict()).isEqualTo(Verdict.HELLO);
    assertThat(r.serverName()).isEqualTo("a.db.test");
    assertThat(r.alpnProtocols()).containsExactly("postgresql");
    assertThat(r.span()).isEqualTo(hello.length);
    assertThat(r.legacyVersion()).isEqualTo(0x0303);
    assertThat(r.offersTls13()).isTrue();
  }

  @Test
  void tls12OnlyClientsOfferNoTls13() throws Exception {
    byte[] hello = JdkHellos.hello(new String[] {"TLSv1.2"}, List.of("a.db.test"), "postgresql");
    Result r = peek(hello);
    assertThat(r.serverName()).isEqualTo("a.db.test");
    assertThat(r.alpnProtocols()).containsExactly("postgresql");
    assertThat(r.offersTls13()).isFalse();
    assertThat(r.span()).isEqualTo(hello.length);
  }

  @Test
  void tls13OnlyClientsAreReadToo() throws Exception {
    byte[] hello = JdkHellos.hello(new String[] {"TLSv1.3"}, List.of("b.db.test"), "postgresql", "h2");
    Result r = peek(hello);
    assertThat(r.serverName()).isEqualTo("b.db.test");
    assertThat(r.alpnProtocols()).containsExactly("postgresql", "h2");
    assertThat(r.offersTls13()).isTrue();
  }

  @Test
  void noServerNamesAndNoAlpnGiveNullAndAnEmptyList() throws Exception {
    Result r = peek(JdkHellos.hello(new String[] {"TLSv1.3", "TLSv1.2"}, List.of()));
    assertThat(r.verdict()).isEqualTo(Verdict.HELLO);
    assertThat(r.serverName()).isNull();
    assertThat(r.alpnProtocols()).isEmpty();
  }

  @Test
  void theJdkSendsNoServerNameForSingleLabelHostsOrEnginesWithoutAPeer() throws Exception {
    assertThat(peek(JdkHellos.helloForPeer("localhost")).serverName()).isNull();
    assertThat(peek(JdkHellos.helloForPeer("127.0.0.1")).serverName()).isNull();
    assertThat(peek(JdkHellos.helloForPeer("db.example.com")).serverName()).isEqualTo("db.example.com");
  }

  @Test
  void everyPrefixFedByteByByteNeedsMoreUntilTheLastByte() throws Exception {
    byte[] hello = JdkHellos.hello("a.db.test", "postgresql");
    ByteBuffer buf = ByteBuffer.allocate(hello.length);
    for (int i = 0; i < hello.length; i++) {
      buf.flip();
      assertThat(ClientHelloPeek.peek(buf).verdict()).as("after %d bytes", i).isEqualTo(Verdict.NEED_MORE);
      assertThat(buf.position()).isZero();
      assertThat(buf.limit()).isEqualTo(i);
      buf.position(buf.limit()).limit(buf.capacity());
      buf.put(hello[i]);
    }
    buf.flip();
    Result r = ClientHelloPeek.peek(buf);
    assertThat(r.verdict()).isEqualTo(Verdict.HELLO);
    assertThat(r.serverName()).isEqualTo("a.db.test");
    assertThat(buf.position()).isZero();
    assertThat(buf.limit()).isEqualTo(hello.length);
  }

  @Test
  void aBufferPositionedPastOtherBytesIsReadFromItsPositionAndKeepsPositionAndLimit() throws Exception {
    byte[] hello = JdkHellos.hello("a.db.test", "postgresql");
    byte[] sslRequest = {0, 0, 0, 8, 4, (byte) 0xD2, 0x16, 0x2F};
    ByteBuffer buf = ByteBuffer.allocateDirect(sslRequest.length + hello.length + 16);
    buf.put(sslRequest).put(hello).put(new byte[16]).flip();
    buf.position(sslRequest.length).limit(sslRequest.length + hello.length);
    Result r = ClientHelloPeek.peek(buf.asReadOnlyBuffer());
    assertThat(r.serverName()).isEqualTo("a.db.test");
    assertThat(r.span()).isEqualTo(hello.length);
    assertThat(buf.position()).isEqualTo(sslRequest.length);
    assertThat(buf.limit()).isEqualTo(sslRequest.length + hello.length);
  }

  @Test
  void bytesAfterTheHelloAreNotPartOfTheSpan() throws Exception {
    byte[] hello = JdkHellos.hello("a.db.test", "postgresql");
    byte[] changeCipherSpec = Records.record(20, new byte[] {1});
    Result r = peek(Records.concat(hello, changeCipherSpec));
    assertThat(r.verdict()).isEqualTo(Verdict.HELLO);
    assertThat(r.span()).isEqualTo(hello.length);
  }

  @Test
  void theJdkServerReadsTheSameNameFromAHelloSplitAcrossRecords() throws Exception {
    SelfSignedContexts contexts = new SelfSignedContexts();
    byte[] message = Records.unframe(JdkHellos.hello("a.db.test", "postgresql"));
    byte[] split = Records.frame(message, 1, 100);
    Result r = peek(split);
    assertThat(r.serverName()).isEqualTo("a.db.test");
    assertThat(r.span()).isEqualTo(split.length);
    assertThat(JdkHellos.serverReads(contexts.server, split)).containsExactly(r.serverName());
  }
}
