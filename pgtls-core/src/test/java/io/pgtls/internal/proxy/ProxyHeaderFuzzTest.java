package io.pgtls.internal.proxy;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the PROXY header parser, which reads bytes from anyone who can reach a PROXY listener.
 * Whatever the bytes, the {@link ProxyHeaderInvariants} hold: nothing throws, verdicts stay in
 * bounds, and no prefix contradicts the whole. A bounded run is part of every build (see the core
 * pom); for a long local run: {@code JAZZER_FUZZ=1 mvn -pl pgtls-core test
 * -Dtest=ProxyHeaderFuzzTest -Djazzer.max_duration=10m}. Seeds (v1 lines and v2 headers with
 * TLVs) and any inputs that ever crashed are kept under src/test/resources and replayed by every
 * build.
 */
class ProxyHeaderFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void peekIsTotalBoundedAndConsistentAcrossPrefixes(byte[] input) {
    ProxyHeaderInvariants.checkAll(input);
  }
}
