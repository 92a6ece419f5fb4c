package io.pgtls;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** {@link ProxyProtocol} equality, which it had before the others: every field, the list in order. */
class ProxyProtocolEqualityTest {
  @TestFactory
  Stream<DynamicTest> aPolicy() {
    return EqualityTable.of(ProxyProtocol.class, () -> ProxyProtocol.trusting("10.0.0.2/32", "10.0.0.3/32"))
        .same("from a list", () -> ProxyProtocol.trusting(List.of("10.0.0.2/32", "10.0.0.3/32")))
        .same("with the defaults set", () -> ProxyProtocol.trusting("10.0.0.2/32", "10.0.0.3/32")
            .versions(ProxyProtocol.Versions.V1_AND_V2).untrusted(ProxyProtocol.Untrusted.REFUSE)
            .maxV2Length(ProxyProtocol.DEFAULT_MAX_V2_LENGTH))
        .differs("trustedProxies", "one fewer", () -> ProxyProtocol.trusting("10.0.0.2/32"))
        .differs("trustedProxies", "in another order", () -> ProxyProtocol.trusting("10.0.0.3/32", "10.0.0.2/32"))
        .differs("versions", "V2 only", () -> ProxyProtocol.trusting("10.0.0.2/32", "10.0.0.3/32")
            .versions(ProxyProtocol.Versions.V2))
        .differs("untrusted", "DIRECT", () -> ProxyProtocol.trusting("10.0.0.2/32", "10.0.0.3/32")
            .untrusted(ProxyProtocol.Untrusted.DIRECT))
        .differs("maxV2Length", "512", () -> ProxyProtocol.trusting("10.0.0.2/32", "10.0.0.3/32").maxV2Length(512))
        .tests();
  }
}
