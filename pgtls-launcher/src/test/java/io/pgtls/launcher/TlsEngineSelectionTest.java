package io.pgtls.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtls.launcher.config.TlsEngineChoice;
import io.pgtls.tls.ClientTlsSpec;
import io.pgtls.tls.ServerTlsSpec;
import io.pgtls.tls.TlsEngineFactory;
import io.pgtls.tls.TlsEngineMaker;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code tls_engine}: which engine serves, and the start-up line that says so and why. */
class TlsEngineSelectionTest {

  /** A BoringSSL engine whose native library did not load. */
  private static final TlsEngineFactory NOT_LOADED = new TlsEngineFactory() {
    @Override
    public String name() {
      return "boringssl";
    }

    @Override
    public String describe() {
      return "unavailable";
    }

    @Override
    public Optional<String> unavailability() {
      return Optional.of("no native library for os/arch");
    }

    @Override
    public TlsEngineMaker server(ServerTlsSpec spec) {
      throw new AssertionError("not available");
    }

    @Override
    public TlsEngineMaker client(ClientTlsSpec spec) {
      throw new AssertionError("not available");
    }
  };

  @Test
  void autoTakesBoringSslWhereItsNativeLibraryLoads() throws Exception {
    TlsEngineSelection.Outcome outcome = TlsEngineSelection.choose(TlsEngineChoice.AUTO);
    assertThat(outcome.engine().name()).isEqualTo("boringssl");
    assertThat(outcome.description()).startsWith("TLS engine: boringssl (BoringSSL")
        .contains("netty-tcnative 2.0.84").endsWith("; tls_engine = \"auto\")");
  }

  @Test
  void boringSslIsTakenWhenAskedFor() throws Exception {
    TlsEngineSelection.Outcome outcome = TlsEngineSelection.choose(TlsEngineChoice.BORINGSSL);
    assertThat(outcome.engine().name()).isEqualTo("boringssl");
    assertThat(outcome.description()).endsWith("; tls_engine = \"boringssl\")");
  }

  @Test
  void jdkIsTheJdksEngineEvenWhereBoringSslLoads() throws Exception {
    TlsEngineSelection.Outcome outcome = TlsEngineSelection.choose(TlsEngineChoice.JDK);
    assertThat(outcome.engine().name()).isEqualTo("jdk");
    assertThat(outcome.description()).startsWith("TLS engine: jdk (Java ").endsWith("; tls_engine = \"jdk\")");
  }

  @Test
  void autoFallsBackToTheJdkSayingWhyWhereBoringSslDoesNotLoad() throws Exception {
    TlsEngineSelection.Outcome outcome = TlsEngineSelection.choose(TlsEngineChoice.AUTO, () -> Optional.of(NOT_LOADED));
    assertThat(outcome.engine().name()).isEqualTo("jdk");
    assertThat(outcome.description())
        .endsWith("tls_engine = \"auto\", BoringSSL is not usable here: no native library for os/arch)");
  }

  @Test
  void autoFallsBackToTheJdkInABuildWithoutBoringSsl() throws Exception {
    TlsEngineSelection.Outcome outcome = TlsEngineSelection.choose(TlsEngineChoice.AUTO, Optional::empty);
    assertThat(outcome.engine().name()).isEqualTo("jdk");
    assertThat(outcome.description()).contains("this build of pgtls does not include it");
  }

  @Test
  void boringSslWhereItDoesNotLoadIsAStartUpErrorNotASilentFallback() {
    assertThatThrownBy(() -> TlsEngineSelection.choose(TlsEngineChoice.BORINGSSL, () -> Optional.of(NOT_LOADED)))
        .isInstanceOf(TlsEngineSelection.UnavailableException.class)
        .hasMessage("no native library for os/arch");
  }
}
