package io.pgtls.internal.conn;

import static io.pgtls.internal.conn.ConnectionState.AWAIT_STARTUP;
import static io.pgtls.internal.conn.ConnectionState.BACKEND_CONNECTING;
import static io.pgtls.internal.conn.ConnectionState.BACKEND_HANDSHAKE;
import static io.pgtls.internal.conn.ConnectionState.BACKEND_NEGOTIATING;
import static io.pgtls.internal.conn.ConnectionState.CLIENT_HANDSHAKE;
import static io.pgtls.internal.conn.ConnectionState.CLIENT_HELLO;
import static io.pgtls.internal.conn.ConnectionState.CLOSED;
import static io.pgtls.internal.conn.ConnectionState.CLOSING;
import static io.pgtls.internal.conn.ConnectionState.FORWARDING_CANCEL;
import static io.pgtls.internal.conn.ConnectionState.NEGOTIATING;
import static io.pgtls.internal.conn.ConnectionState.READING_PROXY_HEADER;
import static io.pgtls.internal.conn.ConnectionState.RELAYING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The table of legal moves between connection states, as the diagram in {@link ConnectionState} draws it. */
class ConnectionStateTest {
  /** Every legal move; anything not listed here must be refused. */
  private static final Map<ConnectionState, Set<ConnectionState>> LEGAL = new EnumMap<>(ConnectionState.class);

  static {
    legal(READING_PROXY_HEADER, NEGOTIATING, CLOSING, CLOSED);
    legal(NEGOTIATING, CLIENT_HELLO, BACKEND_CONNECTING, CLOSING, CLOSED);
    legal(CLIENT_HELLO, CLIENT_HANDSHAKE, CLOSING, CLOSED);
    legal(CLIENT_HANDSHAKE, AWAIT_STARTUP, CLOSING, CLOSED);
    legal(AWAIT_STARTUP, BACKEND_CONNECTING, CLOSING, CLOSED);
    legal(BACKEND_CONNECTING, BACKEND_NEGOTIATING, BACKEND_HANDSHAKE, RELAYING, FORWARDING_CANCEL, CLOSING, CLOSED);
    legal(BACKEND_NEGOTIATING, BACKEND_HANDSHAKE, CLOSING, CLOSED);
    legal(BACKEND_HANDSHAKE, RELAYING, FORWARDING_CANCEL, CLOSING, CLOSED);
    legal(RELAYING, CLOSING, CLOSED);
    legal(FORWARDING_CANCEL, CLOSING, CLOSED);
    legal(CLOSING, CLOSED);
    legal(CLOSED);
  }

  private static void legal(ConnectionState from, ConnectionState... to) {
    Set<ConnectionState> s = EnumSet.noneOf(ConnectionState.class);
    s.addAll(List.of(to));
    LEGAL.put(from, s);
  }

  static Stream<Arguments> legalMoves() {
    return Stream.of(
        move("SSLRequest answered (or direct TLS): read the ClientHello", NEGOTIATING, CLIENT_HELLO),
        move("route chosen from the ClientHello: its engine handshakes", CLIENT_HELLO, CLIENT_HANDSHAKE),
        move("plaintext CancelRequest or opted-in plaintext session goes straight to the backend", NEGOTIATING,
            BACKEND_CONNECTING),
        move("client TLS up: read the startup message inside it", CLIENT_HANDSHAKE, AWAIT_STARTUP),
        move("startup message inside TLS: connect the backend", AWAIT_STARTUP, BACKEND_CONNECTING),
        move("plaintext backend: relay as soon as connected", BACKEND_CONNECTING, RELAYING),
        move("TLS backend: send it an SSLRequest", BACKEND_CONNECTING, BACKEND_NEGOTIATING),
        move("direct-TLS backend: handshake at once", BACKEND_CONNECTING, BACKEND_HANDSHAKE),
        move("cancel to a plaintext backend", BACKEND_CONNECTING, FORWARDING_CANCEL),
        move("backend answered S", BACKEND_NEGOTIATING, BACKEND_HANDSHAKE),
        move("backend TLS up: relay the session", BACKEND_HANDSHAKE, RELAYING),
        move("backend TLS up: forward the cancel", BACKEND_HANDSHAKE, FORWARDING_CANCEL),
        move("closing ends in closed", CLOSING, CLOSED));
  }

  static Stream<Arguments> illegalMoves() {
    return Stream.of(
        move("skipping the startup message after the client handshake", CLIENT_HANDSHAKE, RELAYING),
        move("relaying before any TLS or backend", NEGOTIATING, RELAYING),
        move("a handshake on an engine made before the route is chosen", NEGOTIATING, CLIENT_HANDSHAKE),
        move("reading the startup message before the handshake", CLIENT_HELLO, AWAIT_STARTUP),
        move("reconnecting the backend of a live session", RELAYING, BACKEND_CONNECTING),
        move("a relayed session turning into a cancel", RELAYING, FORWARDING_CANCEL),
        move("a cancel turning into a session", FORWARDING_CANCEL, RELAYING),
        move("backend handshake without a backend connection", AWAIT_STARTUP, BACKEND_HANDSHAKE),
        move("backend handshake straight from the client handshake", CLIENT_HANDSHAKE, BACKEND_HANDSHAKE),
        move("backend handshake from the negotiation with the client", NEGOTIATING, BACKEND_HANDSHAKE),
        move("a TLS backend that answered N relayed in plaintext", BACKEND_NEGOTIATING, RELAYING),
        move("the client handshake started twice", CLIENT_HANDSHAKE, CLIENT_HANDSHAKE),
        move("an 'N' answer counted as a move", NEGOTIATING, NEGOTIATING),
        move("closing twice", CLOSING, CLOSING),
        move("closing going back to work", CLOSING, RELAYING),
        move("closed connection closing again", CLOSED, CLOSING),
        move("closed connection closed again", CLOSED, CLOSED),
        move("closed connection resurrected", CLOSED, NEGOTIATING),
        move("a PROXY header read after the client's first packet", NEGOTIATING, READING_PROXY_HEADER),
        move("TLS before the PROXY header is read", READING_PROXY_HEADER, CLIENT_HELLO),
        move("a backend reached before the client is known", READING_PROXY_HEADER, BACKEND_CONNECTING));
  }

  private static Arguments move(String trap, ConnectionState from, ConnectionState to) {
    return Arguments.of(Named.of(trap, from), to);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("legalMoves")
  void legalMoveIsAllowed(ConnectionState from, ConnectionState to) {
    assertThat(from.canMoveTo(to)).as(from + " -> " + to).isTrue();
    assertThat(LEGAL.get(from)).as("the expected table agrees").contains(to);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("illegalMoves")
  void trapMoveIsRefused(ConnectionState from, ConnectionState to) {
    assertThat(from.canMoveTo(to)).as(from + " -> " + to).isFalse();
    assertThat(LEGAL.get(from)).as("the expected table agrees").doesNotContain(to);
  }

  @Test
  void everyPairOfStatesMatchesTheExpectedTable() {
    assertThat(LEGAL).as("every state has a row").containsOnlyKeys(ConnectionState.values());
    List<String> wrong = new ArrayList<>();
    for (ConnectionState from : ConnectionState.values()) {
      for (ConnectionState to : ConnectionState.values()) {
        boolean expected = LEGAL.get(from).contains(to);
        if (from.canMoveTo(to) != expected) {
          wrong.add(from + " -> " + to + " is " + (expected ? "refused" : "allowed"));
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  @Test
  void everyStateButClosedMayCloseAtOnce() {
    for (ConnectionState s : ConnectionState.values()) {
      assertThat(s.canMoveTo(CLOSED)).as(s + " -> CLOSED").isEqualTo(s != CLOSED);
    }
  }

  @Test
  void everyStateBeforeClosingMayCloseGracefully() {
    for (ConnectionState s : ConnectionState.values()) {
      assertThat(s.canMoveTo(CLOSING)).as(s + " -> CLOSING").isEqualTo(s.compareTo(CLOSING) < 0);
    }
  }

  @Test
  void closedIsTheEnd() {
    for (ConnectionState s : ConnectionState.values()) {
      assertThat(CLOSED.canMoveTo(s)).as("CLOSED -> " + s).isFalse();
    }
  }

  @Test
  void backendHandshakeIsEnteredOnlyFromAConnectedBackend() {
    for (ConnectionState s : ConnectionState.values()) {
      boolean expected = s == BACKEND_CONNECTING || s == BACKEND_NEGOTIATING;
      assertThat(s.canMoveTo(BACKEND_HANDSHAKE)).as(s + " -> BACKEND_HANDSHAKE").isEqualTo(expected);
    }
  }

  @Test
  void relayingIsEnteredOnlyFromABackendReadyForIt() {
    for (ConnectionState s : ConnectionState.values()) {
      boolean expected = s == BACKEND_CONNECTING || s == BACKEND_HANDSHAKE;
      assertThat(s.canMoveTo(RELAYING)).as(s + " -> RELAYING").isEqualTo(expected);
    }
  }
}
