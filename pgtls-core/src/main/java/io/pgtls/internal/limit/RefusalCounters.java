package io.pgtls.internal.limit;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** How many times each {@link LimitRefusal} happened, counted from any thread without contention. */
final class RefusalCounters {
  private final Map<LimitRefusal, LongAdder> counts = new EnumMap<>(LimitRefusal.class);

  RefusalCounters() {
    for (LimitRefusal r : LimitRefusal.values()) {
      counts.put(r, new LongAdder());
    }
  }

  void count(LimitRefusal reason) {
    counts.get(reason).increment();
  }

  /** Every reason's label and count, zero included, in the enum's order. */
  Map<String, Long> snapshot() {
    Map<String, Long> m = new LinkedHashMap<>();
    counts.forEach((r, n) -> m.put(r.label(), n.sum()));
    return Collections.unmodifiableMap(m);
  }

  @Override
  public String toString() {
    return "RefusalCounters" + snapshot();
  }
}
