package io.pgtls.boringssl;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The native library must load for these tests: skipped with the reason where it does not, failed under CI=true. */
final class NativeLibrary {
  private NativeLibrary() {
  }

  static void require() {
    new BoringSslEngineFactory().unavailability().ifPresent(why -> {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true and the BoringSSL engine cannot run: " + why);
      }
      Assumptions.abort("the BoringSSL engine cannot run here: " + why);
    });
  }
}
