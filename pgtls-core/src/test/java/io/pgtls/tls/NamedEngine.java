package io.pgtls.tls;

/**
 * An engine that only has a name (makes JDK engines): for tests of configuration equality and
 * differences, where engines count by name.
 */
public final class NamedEngine implements TlsEngineFactory {
  private final String name;

  public NamedEngine(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String describe() {
    return "a test engine called " + name;
  }

  @Override
  public TlsEngineMaker server(ServerTlsSpec spec) {
    return TlsEngines.jdk().server(spec);
  }

  @Override
  public TlsEngineMaker client(ClientTlsSpec spec) {
    return TlsEngines.jdk().client(spec);
  }

  @Override
  public String toString() {
    return name;
  }
}
