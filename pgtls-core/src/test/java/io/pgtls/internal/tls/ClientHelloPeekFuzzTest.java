package io.pgtls.internal.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the ClientHello peek, which reads attacker-chosen bytes before any TLS is negotiated.
 * Whatever the bytes, the {@link PeekInvariants} hold. A bounded run is part of every build (see
 * the core pom); for a long local run: {@code JAZZER_FUZZ=1 mvn -pl pgtls-core test
 * -Dtest=ClientHelloPeekFuzzTest -Djazzer.max_duration=10m}. Seeds (JDK and hand-built hellos) and
 * any inputs that ever crashed are kept under src/test/resources and replayed by every build.
 */
class ClientHelloPeekFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void peekIsTotalBoundedAndConsistentAcrossPrefixes(byte[] input) {
    PeekInvariants.check(input);
  }
}
