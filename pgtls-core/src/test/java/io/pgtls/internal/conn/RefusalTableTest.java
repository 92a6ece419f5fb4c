package io.pgtls.internal.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.pgtls.HostPort;
import io.pgtls.internal.tls.ClientHelloPeek;
import io.pgtls.internal.conn.Rejection.Ending;
import io.pgtls.internal.route.Refusal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every refusal in {@link Refusals}, found by reflection so that one added later is checked too:
 * what the client is told is a well-formed PostgreSQL FATAL or nothing at all.
 */
class RefusalTableTest {
  private static final HostPort BACKEND = HostPort.of("db.example.com", 5432);
  private static final Set<String> SQLSTATE_CLASSES = Set.of("08", "0A", "28", "53", "57");

  /** A refusal made by a call to Refusals and what it returned. */
  record Made(String call, Rejection rejection) {}

  @Test
  void everyRefusalIsWellFormed() {
    List<Made> all = everyRefusal();
    assertThat(all).as("Refusals has refusals").hasSizeGreaterThan(20);
    for (Made m : all) {
      Rejection r = m.rejection();
      assertThat(r).as(m.call()).isNotNull();
      assertThat(r.reason()).as("%s: reason", m.call()).isNotNull();
      assertThat(r.ending()).as("%s: ending", m.call()).isNotNull();
      assertThat(r.level()).as("%s: log level", m.call()).isNotNull();
      assertThat(r.logLine()).as("%s: log line", m.call()).isNotBlank();
      assertThat(r.closeReason()).as("%s: close reason", m.call()).isNotBlank();
      if (r.ending() == Ending.FATAL || r.ending() == Ending.BACKEND_FAILURE) {
        assertTellsClientAFatal(m.call(), r);
      } else {
        assertThat(r.tellsClient()).as("%s: a %s ending tells the client nothing", m.call(), r.ending()).isFalse();
        assertThat(r.sqlstate()).as("%s: sqlstate", m.call()).isNull();
        assertThat(r.message()).as("%s: message", m.call()).isNull();
        assertThat(r.detail()).as("%s: detail", m.call()).isNull();
        assertThat(r.hint()).as("%s: hint", m.call()).isNull();
      }
    }
  }

  @Test
  void everyRefusalLabelIsMadeByTheTable() {
    Set<Refusal> made = EnumSet.noneOf(Refusal.class);
    everyRefusal().forEach(m -> made.add(m.rejection().reason()));
    assertThat(made).containsExactlyInAnyOrder(Refusal.values());
  }

  private static void assertTellsClientAFatal(String call, Rejection r) {
    assertThat(r.tellsClient()).as("%s: tells the client", call).isTrue();
    assertThat(r.sqlstate()).as("%s: sqlstate", call).hasSize(5);
    assertThat(SQLSTATE_CLASSES).as("%s: sqlstate class of %s", call, r.sqlstate()).contains(r.sqlstate().substring(0, 2));
    assertThat(r.message()).as("%s: message", call).isNotBlank();
    Map<Character, String> fields = ErrorFields.parse(r.errorResponse());
    assertThat(fields).as(call).containsEntry('S', "FATAL").containsEntry('V', "FATAL")
        .containsEntry('C', r.sqlstate()).containsEntry('M', r.message());
    assertOptionalField(call, fields, 'D', r.detail());
    assertOptionalField(call, fields, 'H', r.hint());
    assertThat(fields.keySet()).as(call).isSubsetOf('S', 'V', 'C', 'M', 'D', 'H');
  }

  private static void assertOptionalField(String call, Map<Character, String> fields, char type, String value) {
    if (value == null) {
      assertThat(fields).as(call).doesNotContainKey(type);
    } else {
      assertThat(fields).as(call).containsEntry(type, value);
    }
  }

  /** Calls every non-private static method of Refusals returning a Rejection, with each boolean both ways. */
  private static List<Made> everyRefusal() {
    List<Made> made = new ArrayList<>();
    for (Method m : Refusals.class.getDeclaredMethods()) {
      if (!Modifier.isStatic(m.getModifiers()) || Modifier.isPrivate(m.getModifiers()) || m.isSynthetic()) {
        continue;
      }
      assertThat(m.getReturnType()).as(m.getName()).isEqualTo(Rejection.class);
      for (boolean flag : new boolean[] {false, true}) {
        Object[] args = Arrays.stream(m.getParameterTypes()).map(t -> sample(m, t, flag)).toArray();
        made.add(new Made(m.getName() + Arrays.toString(args), invoke(m, args)));
        if (Arrays.stream(m.getParameterTypes()).noneMatch(t -> t == boolean.class)) {
          break;
        }
      }
    }
    return made;
  }

  private static Object sample(Method m, Class<?> type, boolean flag) {
    if (type == String.class) {
      return "main";
    } else if (type == HostPort.class) {
      return BACKEND;
    } else if (type == int.class) {
      return 4;
    } else if (type == long.class) {
      return 5000L;
    } else if (type == double.class) {
      return 200.0;
    } else if (type == byte.class) {
      return (byte) 'X';
    } else if (type == boolean.class) {
      return flag;
    } else if (type == ClientHelloPeek.Reason.class) {
      return flag ? ClientHelloPeek.Reason.NOT_HANDSHAKE : ClientHelloPeek.Reason.MALFORMED;
    }
    return fail("no sample argument of type %s for Refusals.%s: add one here", type.getSimpleName(), m.getName());
  }

  private static Rejection invoke(Method m, Object[] args) {
    try {
      return (Rejection) m.invoke(null, args);
    } catch (IllegalAccessException e) {
      throw new AssertionError(m.getName(), e);
    } catch (InvocationTargetException e) {
      throw new AssertionError(m.getName() + Arrays.toString(args) + " threw", e.getCause());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The texts users and tests rely on

  @Test
  void plaintextStartupNamesTheRouteAndTheWayOut() {
    Rejection r = Refusals.plaintextStartup("main", "alice", "app");
    assertThat(r.reason()).isEqualTo(Refusal.PLAINTEXT);
    assertThat(r.ending()).isEqualTo(Ending.FATAL);
    assertThat(r.sqlstate()).as("allow-mode clients retry over TLS on 28000 only").isEqualTo("28000");
    assertThat(r.message())
        .isEqualTo("pgtls route 'main' requires an encrypted connection (SSL/TLS); this connection was not encrypted");
    assertThat(r.hint()).isEqualTo("Connect with sslmode=require or stronger (sslmode=verify-full is recommended).");
    assertThat(r.logLine()).contains("user=alice", "database=app");
  }

  @Test
  void tooManyConnectionsWordsItAsPostgresqlDoes() {
    Rejection r = Refusals.tooManyConnections("alice", "app", "route 'main' has 100 sessions");
    assertThat(r.sqlstate()).isEqualTo("53300");
    assertThat(r.message()).isEqualTo("sorry, too many clients already");
    assertThat(r.detail()).startsWith("route 'main' has 100 sessions").endsWith("(max_connections)");
  }

  @Test
  void backendRefusingTlsNamesTheBackendAndTheRoute() {
    Rejection r = Refusals.backendRefusedTls("main", BACKEND);
    assertThat(r.ending()).isEqualTo(Ending.BACKEND_FAILURE);
    assertThat(r.sqlstate()).isEqualTo("08001");
    assertThat(r.message()).isEqualTo("backend db.example.com:5432 does not accept TLS (it answered N to SSLRequest), "
        + "and route 'main' requires TLS to it");
    assertThat(r.hint()).contains("tls_enabled = false");
  }

  @Test
  void unencryptedDataAfterSslRequestIsWordedAsPostgresqlWordsIt() {
    Rejection r = Refusals.unencryptedAfterSslRequest();
    assertThat(r.sqlstate()).isEqualTo("08P01");
    assertThat(r.message()).isEqualTo("received unencrypted data after SSL request");
    assertThat(r.detail()).isEqualTo(
        "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.");
  }

  @Test
  void encryptionRequestInsideTlsReadsAsPostgresqlsUnsupportedProtocol() {
    assertThat(Refusals.encryptionRequestInsideTls("SSL_REQUEST", 1234, 5679).message())
        .isEqualTo("unsupported frontend protocol 1234.5679: an encryption request inside an encrypted connection");
  }

  @Test
  void garbageBeforeTlsIsClosedWithoutAWord() {
    Rejection r = Refusals.invalidLengthInPlaintext(10005);
    assertThat(r.ending()).isEqualTo(Ending.NOW);
    assertThat(r.tellsClient()).isFalse();
    assertThat(r.logLine()).contains("10005");
  }

  @Test
  void aDrainedSessionHearsWhatPgTerminateBackendSaysWithTheRouteAndWhyInItsDetail() {
    Rejection r = Refusals.drained("old", "was removed by a configuration reload");
    assertThat(r.reason()).isEqualTo(Refusal.DRAINED);
    assertThat(r.reason().label).isEqualTo("drained");
    assertThat(r.ending()).as("a FATAL is said, then both legs close cleanly").isEqualTo(Ending.FATAL);
    assertThat(ErrorFields.parse(r.errorResponse())).containsExactly(
        Map.entry('S', "FATAL"), Map.entry('V', "FATAL"), Map.entry('C', "57P01"),
        Map.entry('M', "terminating connection due to administrator command"),
        Map.entry('D', "pgtls route 'old' was removed by a configuration reload"));
    assertThat(r.closeReason()).isEqualTo("drained: pgtls route 'old' was removed by a configuration reload");
  }

  @Test
  void errorResponseIsFramedAsV3() {
    Rejection r = Refusals.plaintextStartup("main", "alice", "app");
    assertThat(ErrorFields.parse(r.errorResponse())).containsExactly(
        Map.entry('S', "FATAL"), Map.entry('V', "FATAL"), Map.entry('C', "28000"), Map.entry('M', r.message()),
        Map.entry('H', r.hint()));
  }
}
