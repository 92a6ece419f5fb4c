package io.pgtls.internal.conn;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives one stage the way {@link ProxyConnection} does, on the test's thread: steps it, follows
 * its ADVANCE moves (checked against the state table), runs delegated tasks inline, answers
 * RESOLVE, and on WAIT lets the peer move and marks every leg readable again, as a selector
 * would. Stops at the first outcome that hands the connection on (ready, refusal, close).
 */
final class StageHarness {
  /** The test's side of the conversation: takes its turn at moving bytes. */
  interface Peer {
    void pump() throws IOException;
  }

  private static final int MAX_ROUNDS = 200_000;

  private final Stage stage;
  private final MemoryPipe pipe;
  private final List<Leg> legs = new ArrayList<>();
  private ConnectionState state;
  private final List<ConnectionState> visited = new ArrayList<>();
  private final List<String> routed = new ArrayList<>();

  /** @param pipe the pipe the stage talks over: while bytes move through it, the exchange is not stuck */
  StageHarness(Stage stage, ConnectionState first, MemoryPipe pipe, Leg... legs) {
    this.stage = stage;
    this.pipe = pipe;
    this.state = first;
    this.legs.addAll(List.of(legs));
    visited.add(first);
    stage.enter(first, System.nanoTime());
  }

  /** A leg the stage opened meanwhile (a backend), to be marked readable like the others. */
  void watch(Leg leg) {
    legs.add(leg);
  }

  ConnectionState state() {
    return state;
  }

  /** Every state the stage passed through, in order. */
  List<ConnectionState> visited() {
    return visited;
  }

  /** Each route the stage chose, with how its server name matched: "a exact". */
  List<String> routed() {
    return routed;
  }

  Outcome run(Peer peer) throws IOException {
    int idle = 0;
    long moved = pipe.moved();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      Outcome o = stage.step(state);
      switch (o.kind()) {
        case ADVANCE:
          if (!state.canMoveTo(o.state())) {
            throw new AssertionError("illegal transition " + state + " -> " + o.state());
          }
          state = o.state();
          visited.add(state);
          stage.enter(state, System.nanoTime());
          break;
        case RUN_TASKS:
          o.leg().beginTasks().run();
          o.leg().tasksDone();
          break;
        case ROUTED:
          routed.add(o.route().name() + " " + o.match().label);
          break;
        case RESOLVE:
          ((BackendOpening) stage).resolved(InetAddress.getAllByName(((BackendOpening) stage).hostToResolve()), null);
          break;
        case WAIT:
          peer.pump();
          legs.forEach(Leg::markReadable);
          idle = pipe.moved() != moved ? 0 : idle + 1;
          moved = pipe.moved();
          if (idle > 100) {
            throw new AssertionError("stuck in " + state + ": " + stage + " " + legs);
          }
          break;
        default:
          return o;
      }
    }
    throw new AssertionError("no outcome after " + MAX_ROUNDS + " rounds in " + state);
  }
}
