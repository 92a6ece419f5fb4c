package io.pgtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * A class's value equality as a table: one value built again and again from scratch, values built
 * another way that must equal it, and for each instance field of the class values that differ from
 * it in that field alone and must not. {@link #tests()} turns each row into a test of its own,
 * plus one that fails when the class has a field no row changes (a field added later and left out
 * of {@code equals} would otherwise pass unseen).
 */
final class EqualityTable<T> {
  private record Row<T>(String field, String how, Supplier<? extends T> value) {}

  private final Class<T> type;
  private final Supplier<? extends T> value;
  private final List<Row<T>> same = new ArrayList<>();
  private final List<Row<T>> differing = new ArrayList<>();
  private final Map<String, String> elsewhere = new LinkedHashMap<>();

  private EqualityTable(Class<T> type, Supplier<? extends T> value) {
    this.type = type;
    this.value = value;
  }

  /** A table for {@code type} around the value {@code value} builds; it is called once per use. */
  static <T> EqualityTable<T> of(Class<T> type, Supplier<? extends T> value) {
    return new EqualityTable<>(type, value);
  }

  /** {@code other} builds the same value another way ({@code how}); it must be equal, hash code included. */
  EqualityTable<T> same(String how, Supplier<? extends T> other) {
    same.add(new Row<>(null, how, other));
    return this;
  }

  /** {@code other} differs from the value in {@code field} alone ({@code how}); it must be unequal. */
  EqualityTable<T> differs(String field, String how, Supplier<? extends T> other) {
    differing.add(new Row<>(field, how, other));
    return this;
  }

  /**
   * {@code field} cannot change alone from this table's value (a disabled {@link BackendTls} has no
   * other settings); a test named {@code where} covers it.
   */
  EqualityTable<T> changedElsewhere(String field, String where) {
    elsewhere.put(field, where);
    return this;
  }

  /** One test per row, and the ones every value class owes: reflexive, built twice equal, not equal to null. */
  Stream<DynamicTest> tests() {
    String name = type.getSimpleName();
    List<DynamicTest> tests = new ArrayList<>();
    tests.add(DynamicTest.dynamicTest(name + " built twice is equal, with equal hash codes", () -> {
      T a = value.get();
      T b = value.get();
      assertThat(a).isNotSameAs(b).isEqualTo(b);
      assertThat(a.hashCode()).isEqualTo(b.hashCode());
    }));
    tests.add(DynamicTest.dynamicTest(name + " equals itself and not null or another class", () -> {
      T a = value.get();
      assertThat(a.equals(a)).isTrue();
      assertThat(a.equals(null)).isFalse();
      assertThat(a.equals(a.toString())).isFalse();
    }));
    for (Row<T> row : same) {
      tests.add(DynamicTest.dynamicTest(name + " built " + row.how() + " is equal", () -> {
        T a = value.get();
        T b = row.value().get();
        assertThat(b).isEqualTo(a);
        assertThat(a).isEqualTo(b);
        assertThat(b.hashCode()).isEqualTo(a.hashCode());
      }));
    }
    for (Row<T> row : differing) {
      tests.add(DynamicTest.dynamicTest(name + "." + row.field() + " " + row.how() + " makes it unequal", () -> {
        T a = value.get();
        T b = row.value().get();
        assertThat(b).as("%s with %s %s", name, row.field(), row.how()).isNotEqualTo(a);
        assertThat(a).as("the other way round").isNotEqualTo(b);
        // Unequal values may share a hash code, but a field left out of hashCode shares it every time.
        assertThat(b.hashCode()).as("hash code of %s with %s %s", name, row.field(), row.how())
            .isNotEqualTo(a.hashCode());
      }));
    }
    tests.add(DynamicTest.dynamicTest(name + ": every field has a row that changes it", () -> {
      Set<String> changed = new TreeSet<>();
      differing.forEach(row -> changed.add(row.field()));
      changed.addAll(elsewhere.keySet());
      assertThat(changed).as("rows, and fields covered by other tests: %s", elsewhere)
          .isEqualTo(new TreeSet<>(fields(type)));
    }));
    return tests.stream();
  }

  /** The instance fields declared by {@code type}. */
  static Set<String> fields(Class<?> type) {
    Set<String> names = new LinkedHashSet<>();
    Arrays.stream(type.getDeclaredFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()) && !f.isSynthetic())
        .map(Field::getName)
        .forEach(names::add);
    return names;
  }
}
