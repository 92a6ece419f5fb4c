package io.pgtls.interop;

import java.time.Duration;

/**
 * What one client attempt ended with.
 *
 * @param succeeded the client connected, ran its statement and closed without an error
 * @param output the statement's single value (trimmed), when it succeeded
 * @param error what the client reported (stderr, exception chain), with the SQLSTATE where the
 *     client exposes one
 * @param elapsed from starting the client to its end
 */
record Outcome(boolean succeeded, String output, String error, Duration elapsed) {

  @Override
  public String toString() {
    return (succeeded ? "succeeded" : "failed") + " after " + elapsed.toMillis() + " ms\noutput: " + output
        + "\nerror: " + error;
  }
}
