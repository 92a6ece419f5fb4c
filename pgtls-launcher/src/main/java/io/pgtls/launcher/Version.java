package io.pgtls.launcher;

/** The version of pgtls, from the jar manifest's {@code Implementation-Version}. */
final class Version {
  private Version() {}

  /** The version, or {@code dev} when not running from the packaged jar (IDE, tests). */
  static String current() {
    String version = Version.class.getPackage().getImplementationVersion();
    return version == null || version.isBlank() ? "dev" : version;
  }
}
