package io.pgtls.testkit.junit;

/** Something {@link StartStop} starts before a test and closes after it. */
public interface Startable extends AutoCloseable {
  void start();

  @Override
  void close();
}
