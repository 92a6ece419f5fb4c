package io.pgtls.internal.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
  @Test
  void plaintextBuffersComeBackZeroed() {
    BufferPool pool = new BufferPool();
    ByteBuffer b = pool.borrow();
    b.put("password=hunter2".getBytes(StandardCharsets.US_ASCII));
    pool.release(b, true);
    ByteBuffer again = pool.borrow();
    assertThat(again).isSameAs(b); // the pool hands back its most recent buffer first
    assertThat(again.position()).isZero();
    for (int i = 0; i < again.capacity(); i++) {
      assertThat(again.get(i)).as("byte %d", i).isZero();
    }
    pool.release(again, true);
  }

  @Test
  void anIdleSlotHoldsNoBufferAndEveryBorrowIsCounted() {
    BufferPool pool = new BufferPool();
    PooledBuffer slot = new PooledBuffer(pool, true, "slot");
    assertThat(slot.peek()).isNull();
    slot.prepare().put((byte) 1);
    assertThat(pool.outstanding()).isEqualTo(1);
    slot.releaseIfEmpty();
    assertThat(pool.outstanding()).as("not empty: kept").isEqualTo(1);
    slot.beginRead().get();
    slot.endRead();
    slot.releaseIfEmpty();
    assertThat(slot.peek()).isNull();
    assertThat(pool.outstanding()).isZero();
  }

  @Test
  void eachKindComesBackToItsOwnKindAndIsZeroed() {
    BufferPool pool = new BufferPool();
    PooledBuffer slot = new PooledBuffer(pool, true, "slot");
    assertThat(slot.prepare().isDirect()).as("sockets first: direct").isTrue();
    slot.prefer(false); // a JDK engine takes the slot over: heap from now on
    slot.prepare().put("secret".getBytes(StandardCharsets.US_ASCII));
    ByteBuffer heap = slot.peek();
    assertThat(heap.isDirect()).isFalse();
    slot.truncate(0);
    slot.releaseIfEmpty();
    assertThat(pool.borrow(true).isDirect()).isTrue();
    ByteBuffer again = pool.borrow(false);
    assertThat(again).isSameAs(heap);
    assertThat(again.get(0)).isZero();
  }

  @Test
  void buffersHoldAWholeTlsRecord() {
    assertThat(BufferPool.BUFFER_SIZE).isGreaterThanOrEqualTo(16 * 1024 + 256);
  }

  @Test
  void aSlotZeroesEveryByteItsDataEverReachedWhenItGivesTheBufferBack() {
    BufferPool pool = new BufferPool();
    PooledBuffer slot = new PooledBuffer(pool, true, "slot");
    ByteBuffer b = slot.prepare();
    b.put("select secret from vault;".getBytes(StandardCharsets.US_ASCII));
    slot.beginRead().position(10); // forwarded in two parts
    slot.endRead();
    ByteBuffer rest = slot.beginRead();
    rest.position(rest.limit());
    slot.endRead();
    slot.prepare().put("abcdefgh".getBytes(StandardCharsets.US_ASCII));
    slot.truncate(0); // held back, then dropped
    slot.releaseIfEmpty();
    ByteBuffer again = pool.borrow();
    assertThat(again).isSameAs(b);
    for (int i = 0; i < 64; i++) {
      assertThat(again.get(i)).as("byte %d", i).isZero();
    }
    pool.release(again, false);
  }

  @Test
  void aCiphertextSlotStillZeroesEverythingWhenReleasedOnClose() {
    // An exception in the middle of a wrap can leave plaintext behind in a ciphertext-only slot.
    BufferPool pool = new BufferPool();
    PooledBuffer slot = new PooledBuffer(pool, true, "out");
    slot.holdsCiphertextOnly();
    ByteBuffer b = slot.prepare();
    b.put("select secret from vault;".getBytes(StandardCharsets.US_ASCII));
    slot.release();
    ByteBuffer again = pool.borrow();
    assertThat(again).isSameAs(b);
    for (int i = 0; i < again.capacity(); i++) {
      assertThat(again.get(i)).as("byte %d", i).isZero();
    }
    pool.release(again, false);
  }
}
