package io.pgtls.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtls.internal.tls.ClientHelloPeek.Reason;
import io.pgtls.internal.tls.ClientHelloPeek.Result;
import io.pgtls.internal.tls.ClientHelloPeek.Verdict;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Reassembly across TCP reads and TLS records (RFC 8446 §5.1), and the records that are refused. */
class ClientHelloPeekRecordsTest {
  static Result peek(byte[] bytes) {
    return ClientHelloPeek.peek(ByteBuffer.wrap(bytes));
  }

  static byte[] jdkMessage() throws Exception {
    return Records.unframe(JdkHellos.hello("a.db.test", "postgresql"));
  }

  @Test
  void aHelloPaddedPastTwoKilobytesArrivingInTwoReadsIsReadWhole() {
    byte[] hello = new ClientHelloBuilder().serverName("a.db.test").padding(2000).alpn("postgresql").record();
    assertThat(hello.length).isGreaterThan(2048);
    int firstRead = 1460;
    assertThat(ClientHelloPeek.peek(ByteBuffer.wrap(hello, 0, firstRead)).verdict()).isEqualTo(Verdict.NEED_MORE);
    Result r = peek(hello);
    assertThat(r.serverName()).isEqualTo("a.db.test");
    assertThat(r.alpnProtocols()).containsExactly("postgresql");
    assertThat(r.span()).isEqualTo(hello.length);
  }

  @Test
  void aHelloSplitIntoTwoRecordsIsReassembledAndTheSpanCoversBoth() throws Exception {
    byte[] message = jdkMessage();
    byte[] split = Records.frame(message, message.length / 2);
    Result r = peek(split);
    assertThat(r.serverName()).isEqualTo("a.db.test");
    assertThat(r.alpnProtocols()).containsExactly("postgresql");
    assertThat(r.span()).isEqualTo(split.length).isEqualTo(message.length + 2 * ClientHelloPeek.RECORD_HEADER);
  }

  @Test
  void aHelloSplitIntoThreeRecordsIsReassembled() throws Exception {
    byte[] message = jdkMessage();
    byte[] split = Records.frame(message, 50, 200);
    Result r = peek(split);
    assertThat(r.serverName()).isEqualTo("a.db.test");
    assertThat(r.span()).isEqualTo(split.length);
  }

  @Test
  void aRecordBoundaryInsideTheServerNameIsReassembled() {
    byte[] message = new ClientHelloBuilder().padding(10).serverName("a.db.test").alpn("postgresql").message();
    int nameAt = indexOf(message, "db.test".getBytes());
    for (int cut = nameAt - 12; cut <= nameAt + 3; cut++) {
      Result r = peek(Records.frame(message, cut));
      assertThat(r.serverName()).as("cut at %d", cut).isEqualTo("a.db.test");
      assertThat(r.alpnProtocols()).containsExactly("postgresql");
    }
  }

  @Test
  void aRecordBoundaryInsideTheHandshakeHeaderIsReassembled() throws Exception {
    byte[] message = jdkMessage();
    for (int[] cuts : new int[][] {{1}, {2}, {3}, {1, 1, 1}, {4}}) {
      assertThat(peek(Records.frame(message, cuts)).serverName()).as(Arrays.toString(cuts)).isEqualTo("a.db.test");
    }
  }

  @Test
  void aHelloInOneByteRecordsIsReassembledEvenByteByByte() throws Exception {
    byte[] message = jdkMessage();
    int[] ones = new int[message.length - 1];
    Arrays.fill(ones, 1);
    byte[] framed = Records.frame(message, ones);
    for (int i = 0; i < framed.length; i++) {
      assertThat(ClientHelloPeek.peek(ByteBuffer.wrap(framed, 0, i)).verdict()).isEqualTo(Verdict.NEED_MORE);
    }
    assertThat(peek(framed).serverName()).isEqualTo("a.db.test");
  }

  @Test
  void aZeroLengthHandshakeRecordBeforeTheHelloIsRefusedSoNoStackCanSkipIt() throws Exception {
    byte[] bytes = Records.concat(Records.record(22, new byte[0]), JdkHellos.hello("a.db.test"));
    assertThat(peek(bytes).reason()).isEqualTo(Reason.ZERO_LENGTH_RECORD);
    assertThat(ClientHelloPeek.peek(ByteBuffer.wrap(bytes, 0, 5)).reason()).isEqualTo(Reason.ZERO_LENGTH_RECORD);
  }

  @Test
  void aZeroLengthHandshakeRecordBetweenFragmentsIsRefused() throws Exception {
    assertThat(peek(Records.frame(jdkMessage(), 100, 0)).reason()).isEqualTo(Reason.ZERO_LENGTH_RECORD);
  }

  @Test
  void anAlertOrChangeCipherSpecBetweenFragmentsIsMalformed() throws Exception {
    byte[] message = jdkMessage();
    byte[] first = Records.frame(Arrays.copyOf(message, 100));
    byte[] rest = Records.frame(Arrays.copyOfRange(message, 100, message.length));
    assertThat(peek(Records.concat(first, Records.record(21, new byte[] {1, 0}), rest)).reason())
        .isEqualTo(Reason.MALFORMED);
    assertThat(peek(Records.concat(first, Records.record(20, new byte[] {1}), rest)).reason())
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void aRecordThatCarriesBytesPastTheHelloIsMalformed() throws Exception {
    byte[] twoMessages = Records.concat(jdkMessage(), new byte[] {11, 0, 0, 0});
    assertThat(peek(Records.frame(twoMessages)).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void aRecordVersionOtherThan3xIsMalformed() throws Exception {
    byte[] hello = JdkHellos.hello("a.db.test");
    hello[1] = 2;
    assertThat(peek(hello).reason()).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void aRecordClaimingTwentyThousandBytesIsTooLargeAsSoonAsItsHeaderArrives() {
    byte[] header = {22, 3, 1, (byte) (20_000 >>> 8), (byte) 20_000};
    assertThat(peek(header).reason()).isEqualTo(Reason.RECORD_TOO_LARGE);
    byte[] atBound = {22, 3, 1, 0x40, 0, 1};
    assertThat(peek(atBound).verdict()).as("2^14 is allowed").isEqualTo(Verdict.NEED_MORE);
    byte[] overBound = {22, 3, 1, 0x40, 1};
    assertThat(peek(overBound).reason()).isEqualTo(Reason.RECORD_TOO_LARGE);
  }

  @Test
  void aHelloOfSeventyThousandBytesIsTooLargeAsSoonAsItsLengthArrives() {
    byte[] start = {22, 3, 1, 0x40, 0, 1, 0x01, 0x11, 0x70};
    assertThat(peek(start).reason()).isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void aHelloOfJustUnder64KiBInFourRecordsIsRead() {
    byte[] message = new ClientHelloBuilder().serverName("big.test").padding(65_000).message();
    assertThat(message.length).isLessThanOrEqualTo(ClientHelloPeek.MAX_CLIENT_HELLO);
    byte[] framed = Records.frame(message, 16384, 16384, 16384);
    Result r = peek(framed);
    assertThat(r.serverName()).isEqualTo("big.test");
    assertThat(r.span()).isEqualTo(framed.length);
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
