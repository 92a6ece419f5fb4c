package io.pgtls.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TlsProtocolsTest {

  private static SSLContext context;

  @BeforeAll
  static void context() throws Exception {
    context = SSLContext.getInstance("TLS");
    context.init(null, null, null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.1", "TLSv1", "SSLv3"})
  void protocolsBelowTls12AreRefused(String protocol) {
    assertThatThrownBy(() -> TlsContexts.serverEngine(context, false, List.of("TLSv1.3", protocol)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(protocol + " is older than TLSv1.2");
    assertThatThrownBy(() -> TlsContexts.clientEngine(context, "localhost", 5432, true, List.of(protocol)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void misspelledProtocolIsRefusedInsteadOfIgnored() {
    assertThatThrownBy(() -> TlsContexts.serverEngine(context, false, List.of("TLS1.3")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown TLS protocol \"TLS1.3\"");
  }

  @Test
  void defaultIsTls13AndTls12() {
    assertThat(TlsContexts.serverEngine(context, false, null).getEnabledProtocols())
        .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    assertThat(TlsContexts.clientEngine(context, "localhost", 5432, true, List.of()).getEnabledProtocols())
        .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
  }

  @Test
  void explicitProtocolListIsNotWidenedToTheDefaults() {
    assertThat(TlsContexts.serverEngine(context, false, List.of("TLSv1.2")).getEnabledProtocols())
        .containsExactly("TLSv1.2");
    assertThat(TlsContexts.clientEngine(context, "db", 5432, false, List.of("TLSv1.3")).getEnabledProtocols())
        .containsExactly("TLSv1.3");
  }

  @Test
  void serverEngineAsksForAClientCertificateOnlyWhenToldAndNeverFailsTheHandshakeWithoutOne() {
    assertThat(TlsContexts.serverEngine(context, true, null).getWantClientAuth()).isTrue();
    assertThat(TlsContexts.serverEngine(context, true, null).getNeedClientAuth()).isFalse();
    assertThat(TlsContexts.serverEngine(context, false, null).getNeedClientAuth()).isFalse();
    assertThat(TlsContexts.serverEngine(context, false, null).getWantClientAuth()).isFalse();
    assertThat(TlsContexts.serverEngine(context, false, null).getUseClientMode()).isFalse();
    assertThat(TlsContexts.clientEngine(context, "db", 5432, false, null).getUseClientMode()).isTrue();
  }
}
