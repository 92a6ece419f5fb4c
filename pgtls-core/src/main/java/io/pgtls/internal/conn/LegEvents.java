package io.pgtls.internal.conn;

import io.pgtls.internal.loop.Selectable;
import java.nio.channels.SelectionKey;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The attachment of one leg's selection key: notes readability on the leg, then hands the event to the driver. */
final class LegEvents implements Selectable {
  private final Leg leg;
  private final Runnable run;
  private final Consumer<Throwable> fail;
  private final Runnable shutdown;
  private final Supplier<String> describe;

  LegEvents(Leg leg, Runnable run, Consumer<Throwable> fail, Runnable shutdown, Supplier<String> describe) {
    this.leg = leg;
    this.run = run;
    this.fail = fail;
    this.shutdown = shutdown;
    this.describe = describe;
  }

  @Override
  public void onReady(int readyOps) {
    if ((readyOps & SelectionKey.OP_READ) != 0) {
      leg.markReadable();
    }
    run.run();
  }

  @Override
  public void onFailure(Throwable cause) {
    fail.accept(cause);
  }

  @Override
  public void onLoopShutdown() {
    shutdown.run();
  }

  @Override
  public String toString() {
    return describe.get();
  }
}
