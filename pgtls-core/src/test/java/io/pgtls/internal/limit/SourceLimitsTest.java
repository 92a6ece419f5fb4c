package io.pgtls.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-source counting, the buckets behind a handle, and when an address is forgotten. */
class SourceLimitsTest {
  private static final SourceLimits.Settings SMALL = new SourceLimits.Settings(2, 10, 3, 5, 2, 0);

  private final FakeClock clock = new FakeClock();

  @Test
  void anIpv4MappedAddressIsTheSameSourceAsItsIpv4Form() throws Exception {
    InetAddress mapped = Inet6Address.getByAddress(null,
        new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1}, -1);
    assertThat(mapped).as("the JDK keeps this one an Inet6Address").isInstanceOf(Inet6Address.class);
    SourceLimits limits = new SourceLimits(SMALL, clock);
    Source a = limits.open(ip("10.0.0.1"));
    Source b = limits.open(mapped);
    Source c = limits.open(ip("::ffff:10.0.0.1"));
    assertThat(b.address()).isInstanceOf(Inet4Address.class).isEqualTo(ip("10.0.0.1"));
    assertThat(limits.connections(mapped)).isEqualTo(3);
    assertThat(limits.trackedSources()).isEqualTo(1);
    assertThat(a.overConnectionLimit()).isFalse();
    assertThat(b.overConnectionLimit()).isFalse();
    assertThat(c.overConnectionLimit()).as("the third of a cap of 2, in either form").isTrue();
  }

  @Test
  void aHostNameOrScopeDoesNotMakeAnotherSource() throws Exception {
    byte[] linkLocal = ip("fe80::1").getAddress();
    SourceLimits limits = new SourceLimits(SMALL, clock);
    limits.open(InetAddress.getByAddress("client.example", ip("10.0.0.1").getAddress()));
    limits.open(ip("10.0.0.1"));
    limits.open(Inet6Address.getByAddress(null, linkLocal, 2));
    limits.open(Inet6Address.getByAddress(null, linkLocal, 3));
    assertThat(limits.trackedSources()).isEqualTo(2);
    assertThat(limits.connections(ip("10.0.0.1"))).isEqualTo(2);
    assertThat(limits.connections(ip("fe80::1"))).isEqualTo(2);
  }

  @Test
  void theCapIsPerAddressSoAnotherAddressIsUnaffected() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    limits.open(ip("10.0.0.1"));
    limits.open(ip("10.0.0.1"));
    Source third = limits.open(ip("10.0.0.1"));
    Source other = limits.open(ip("10.0.0.2"));
    assertThat(third.overConnectionLimit()).isTrue();
    assertThat(other.overConnectionLimit()).isFalse();
    assertThat(other.connections()).isEqualTo(1);
    assertThat(third.connections()).isEqualTo(3);
  }

  @Test
  void aConnectionOverTheCapStaysOverAndCountedUntilItCloses() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    Source first = limits.open(ip("10.0.0.1"));
    limits.open(ip("10.0.0.1"));
    Source third = limits.open(ip("10.0.0.1"));
    first.close();
    assertThat(third.overConnectionLimit()).as("decided at open, not re-read").isTrue();
    assertThat(limits.open(ip("10.0.0.1")).overConnectionLimit())
        .as("the refused third still counts: 2 + 1 open before this one").isTrue();
    third.close();
    assertThat(limits.connections(ip("10.0.0.1"))).isEqualTo(2);
  }

  @Test
  void zeroMeansNoPerSourceConnectionLimit() throws Exception {
    SourceLimits limits = new SourceLimits(new SourceLimits.Settings(0, 10, 3, 5, 2, 0), clock);
    for (int i = 0; i < 5_000; i++) {
      assertThat(limits.open(ip("10.0.0.1")).overConnectionLimit()).isFalse();
    }
  }

  @Test
  void closingTwiceDoesNotUncountAnotherConnection() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    Source a = limits.open(ip("10.0.0.1"));
    Source b = limits.open(ip("10.0.0.1"));
    a.close();
    a.close();
    assertThat(a.isClosed()).isTrue();
    assertThat(limits.connections(ip("10.0.0.1"))).isEqualTo(1);
    assertThat(b.connections()).isEqualTo(1);
    b.close();
    b.close();
    assertThat(limits.connections(ip("10.0.0.1"))).isZero();
  }

  @Test
  void anAddressWithNoConnectionAndFullBucketsIsForgottenAtClose() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    Source a = limits.open(ip("10.0.0.1"));
    Source b = limits.open(ip("10.0.0.1"));
    a.close();
    assertThat(limits.trackedSources()).as("b is still open").isEqualTo(1);
    b.close();
    assertThat(limits.trackedSources()).isZero();
  }

  @Test
  void closingAndReconnectingDoesNotRefillTheHandshakeBucket() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    for (int i = 0; i < 3; i++) {
      Source s = limits.open(ip("10.0.0.1"));
      assertThat(s.tryHandshake()).isTrue();
      s.close();
    }
    assertThat(limits.trackedSources()).as("kept while its bucket refills").isEqualTo(1);
    Source fourth = limits.open(ip("10.0.0.1"));
    assertThat(fourth.tryHandshake()).as("burst of 3 used up").isFalse();
    assertThat(limits.refusals()).containsEntry("handshake_rate", 1L);
    clock.advanceMillis(100);
    assertThat(fourth.tryHandshake()).as("one token a 100 ms").isTrue();
    fourth.close();
  }

  @Test
  void sweepForgetsOnlyIdleAddressesWhoseBucketsHaveRefilled() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    Source used = limits.open(ip("10.0.0.1"));
    used.tryHandshake();
    used.close();
    Source cancelled = limits.open(ip("10.0.0.2"));
    cancelled.tryCancel();
    cancelled.close();
    Source open = limits.open(ip("10.0.0.3"));
    assertThat(limits.sweep()).isZero();
    assertThat(limits.trackedSources()).isEqualTo(3);
    clock.advanceMillis(100);
    assertThat(limits.sweep()).as("the handshake bucket is full, the cancel bucket (5/s) not yet").isEqualTo(1);
    clock.advanceMillis(100);
    assertThat(limits.sweep()).isEqualTo(1);
    assertThat(limits.trackedSources()).as("an address with an open connection stays").isEqualTo(1);
    assertThat(limits.connections(ip("10.0.0.3"))).isEqualTo(1);
    open.close();
    assertThat(limits.trackedSources()).isZero();
  }

  @Test
  void beyondTheTableCapNewAddressesAreCountedButForgottenAtClose() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock, 2);
    for (String a : List.of("10.0.0.1", "10.0.0.2")) {
      Source s = limits.open(ip(a));
      s.tryHandshake();
      s.close();
    }
    assertThat(limits.trackedSources()).isEqualTo(2);
    List<Source> late = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      late.add(limits.open(ip("10.0.0.3")));
    }
    assertThat(late.get(2).overConnectionLimit()).as("still counted per source").isTrue();
    assertThat(late.get(0).tryHandshake()).isTrue();
    assertThat(limits.trackedSources()).isEqualTo(3);
    late.get(0).close();
    late.get(1).close();
    assertThat(limits.connections(ip("10.0.0.3"))).isEqualTo(1);
    late.get(2).close();
    assertThat(limits.trackedSources()).as("forgotten though its handshake bucket is not full").isEqualTo(2);
    assertThat(limits.connections(ip("10.0.0.3"))).isZero();
  }

  @Test
  void anAddressBeyondTheTableCapStartsOverWithFullBuckets() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock, 1);
    Source first = limits.open(ip("10.0.0.1"));
    first.tryHandshake();
    first.close();
    for (int i = 0; i < 10; i++) {
      Source s = limits.open(ip("10.0.0.2"));
      assertThat(s.tryHandshake()).as("connection %d: fresh buckets each time", i).isTrue();
      s.close();
    }
    assertThat(limits.trackedSources()).as("only the address seen first is remembered").isEqualTo(1);
    Source again = limits.open(ip("10.0.0.1"));
    assertThat(again.tryHandshake()).isTrue();
    assertThat(again.tryHandshake()).isTrue();
    assertThat(again.tryHandshake()).as("10.0.0.1 kept its bucket: 1 + 2 taken").isFalse();
  }

  @Test
  void aSessionOverTheCapIsRefusedAndCountedOnceButItsCancelIsNot() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    assertThat(limits.open(ip("10.0.0.1")).admitSession()).isTrue();
    limits.open(ip("10.0.0.1"));
    Source over = limits.open(ip("10.0.0.1"));
    Source cancel = limits.open(ip("10.0.0.1"));
    assertThat(over.admitSession()).isFalse();
    assertThat(over.admitSession()).isFalse();
    assertThat(cancel.tryCancel()).isTrue();
    assertThat(limits.refusals()).containsEntry("per_source_connections", 1L);
  }

  @Test
  void cancelsBeyondTheBurstAreRefusedAndCounted() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    Source s = limits.open(ip("10.0.0.1"));
    assertThat(s.tryCancel()).isTrue();
    assertThat(s.tryCancel()).isTrue();
    assertThat(s.tryCancel()).isFalse();
    assertThat(s.tryHandshake()).as("the handshake bucket is another one").isTrue();
    assertThat(limits.refusals()).containsEntry("cancel_rate", 1L).containsEntry("handshake_rate", 0L);
  }

  @Test
  void takingTokensThroughAClosedHandleIsAMistakeNotARefusal() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    Source s = limits.open(ip("10.0.0.1"));
    s.close();
    assertThatThrownBy(s::tryHandshake).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(s::tryCancel).isInstanceOf(IllegalStateException.class);
    assertThat(limits.refusals().values()).containsOnly(0L);
  }

  @Test
  void refusalsListEveryReasonByLabelInOrder() {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    assertThat(limits.refusals()).containsExactly(
        org.assertj.core.api.Assertions.entry("per_source_connections", 0L),
        org.assertj.core.api.Assertions.entry("pending_connections", 0L),
        org.assertj.core.api.Assertions.entry("handshake_rate", 0L),
        org.assertj.core.api.Assertions.entry("cancel_rate", 0L));
  }

  @Test
  void toStringsAreOneLine() throws Exception {
    SourceLimits limits = new SourceLimits(SMALL, clock);
    limits.open(ip("10.0.0.1"));
    limits.open(ip("10.0.0.1"));
    Source over = limits.open(ip("10.0.0.1"));
    assertThat(over).hasToString("Source[10.0.0.1, 3 connections, over the per-source limit]");
    assertThat(limits.toString()).startsWith("SourceLimits[1 sources, PendingCap[0 of unlimited], Settings[")
        .doesNotContain("\n");
  }

  static InetAddress ip(String literal) throws UnknownHostException {
    return InetAddress.getByName(literal);
  }
}
