package io.pgtls.internal.pg;

import static io.pgtls.internal.pg.BackendStreams.authOk;
import static io.pgtls.internal.pg.BackendStreams.concat;
import static io.pgtls.internal.pg.BackendStreams.cstrings;
import static io.pgtls.internal.pg.BackendStreams.dataRow;
import static io.pgtls.internal.pg.BackendStreams.message;
import static io.pgtls.internal.pg.BackendStreams.parameter;
import static io.pgtls.internal.pg.ClientMessagesTest.STARTUP;
import static io.pgtls.internal.pg.ClientMessagesTest.query;
import static io.pgtls.internal.pg.ClientMessagesTest.sync;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** When a session counts as idle, from both streams in the order the relay reads them. */
class IdleWatchTest {
  private final IdleWatch watch = new IdleWatch();

  private void client(byte[]... messages) {
    byte[] b = concat(messages);
    watch.fromClient(ByteBuffer.wrap(b), 0, b.length);
  }

  private void backend(byte[]... messages) {
    byte[] b = concat(messages);
    watch.fromBackend(ByteBuffer.wrap(b), 0, b.length);
  }

  private static byte[] ready(char status) {
    return BackendMessagesTest.ready(status);
  }

  private static byte[] complete(String tag) {
    return message('C', cstrings(tag));
  }

  @BeforeEach
  void login() {
    client(STARTUP);
    assertThat(watch.idle()).as("the login is under way").isFalse();
    backend(authOk(), parameter("server_version", "17.2"), BackendStreams.keyData(4242, new byte[4]), ready('I'));
    assertThat(watch.idle()).as("logged in").isTrue();
  }

  @Test
  void aQueryMakesTheSessionBusyUntilItsReadyForQuery() {
    client(query("select 1"));
    assertThat(watch.idle()).isFalse();
    backend(message('T', new byte[21]), dataRow(1), complete("SELECT 1"));
    assertThat(watch.idle()).isFalse();

    backend(ready('I'));

    assertThat(watch.idle()).isTrue();
  }

  @Test
  void aPipelinedSecondQueryKeepsTheSessionBusyAfterTheFirstQuerysReadyForQuery() {
    client(query("select 1"), query("select pg_sleep(60)"));
    backend(complete("SELECT 1"), ready('I'));

    assertThat(watch.idle()).as("the second query runs").isFalse();
    backend(complete("SELECT 1"), ready('I'));
    assertThat(watch.idle()).isTrue();
  }

  @Test
  void anExtendedQueryWithoutItsSyncYetKeepsTheSessionBusy() {
    client(message('P', cstrings("", "insert into t values (1)", "")), message('B', new byte[8]), message('E', new byte[5]));
    assertThat(watch.idle()).isFalse();

    client(sync());
    backend(message('1', new byte[0]), message('2', new byte[0]), complete("INSERT 0 1"), ready('I'));

    assertThat(watch.idle()).isTrue();
  }

  @Test
  void halfAClientMessageReadBeforeAReadyForQueryKeepsTheSessionBusy() {
    byte[] parse = message('P', cstrings("", "select 2", ""));
    byte[] half = java.util.Arrays.copyOf(parse, 7);
    client(query("select 1"), half);
    backend(complete("SELECT 1"), ready('I'));

    assertThat(watch.idle()).as("a Terminate now would land inside the Parse").isFalse();
    assertThat(watch.clientAtBoundary()).isFalse();
  }

  @Test
  void aTransactionBlockIsNotIdleEvenWhenNothingRuns() {
    client(query("begin"));
    backend(complete("BEGIN"), ready('T'));
    assertThat(watch.idle()).isFalse();

    client(query("select 1/0"));
    backend(message('E', cstrings("SERROR", "C22012", "Mdivision by zero", "")), ready('E'));
    assertThat(watch.idle()).isFalse();

    client(query("rollback"));
    backend(complete("ROLLBACK"), ready('I'));
    assertThat(watch.idle()).isTrue();
  }

  @Test
  void aCopyFromStdinIsIdleOnceItsReadyForQueryCameThoughTheClientSentCopyDataLast() {
    client(query("copy t from stdin"));
    backend(message('G', new byte[3]));
    client(message('d', new byte[100]), message('d', new byte[100]), message('c', new byte[0]));
    assertThat(watch.idle()).isFalse();

    backend(complete("COPY 2"), ready('I'));

    assertThat(watch.idle()).isTrue();
  }

  @Test
  void aSyncPostgresqlIgnoresDuringCopyInKeepsTheSessionFromEverLookingIdle() {
    client(message('P', cstrings("", "copy t from stdin", "")), message('B', new byte[8]), message('E', new byte[5]), sync());
    backend(message('1', new byte[0]), message('2', new byte[0]), message('G', new byte[3]));
    client(message('d', new byte[10]), message('c', new byte[0]), sync());
    backend(complete("COPY 1"), ready('I'));

    assertThat(watch.idle()).as("two Syncs, one answer: the safe way to be wrong").isFalse();
  }

  @Test
  void aBackendMidMessageIsNotIdle() {
    byte[] notice = message('N', cstrings("SNOTICE", "Mhello", ""));
    watch.fromBackend(ByteBuffer.wrap(notice), 0, 4);

    assertThat(watch.idle()).isFalse();
    assertThat(watch.backendAtBoundary()).isFalse();
    assertThat(watch.clientAtBoundary()).isTrue();
  }
}
