package io.pgtls.internal.loop;

/** Something registered with an {@link EventLoop}'s selector: the attachment of its keys. */
public interface Selectable {
  /** Called on the loop thread when the key is ready for {@code readyOps}. */
  void onReady(int readyOps);

  /** Called on the loop thread when {@link #onReady} threw; the handler must release everything. */
  void onFailure(Throwable cause);

  /** Called on the loop thread when the loop shuts down with the handler still registered. */
  void onLoopShutdown();
}
