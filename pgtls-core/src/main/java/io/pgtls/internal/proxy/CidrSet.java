package io.pgtls.internal.proxy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A list of address ranges, such as a listener's trusted proxies or a route's allowed clients. An
 * address is in the set when any range {@link Cidr#contains contains} it; the empty set contains
 * nothing.
 */
public final class CidrSet {
  private final List<Cidr> ranges;

  private CidrSet(List<Cidr> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  public static CidrSet of(List<Cidr> ranges) {
    return new CidrSet(ranges);
  }

  /**
   * Reads each entry with {@link Cidr#parse}.
   *
   * @throws IllegalArgumentException naming the entry by its position (from 1) and its text, and
   *     saying what is wrong with it
   */
  public static CidrSet parse(List<String> entries) {
    Objects.requireNonNull(entries, "entries");
    List<Cidr> ranges = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      if (entry == null) {
        throw new IllegalArgumentException("entry " + (i + 1) + " is missing");
      }
      try {
        ranges.add(Cidr.parse(entry));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("entry " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new CidrSet(ranges);
  }

  public boolean contains(InetAddress address) {
    for (Cidr range : ranges) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  public List<Cidr> ranges() {
    return ranges;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrSet && ((CidrSet) o).ranges.equals(ranges);
  }

  @Override
  public int hashCode() {
    return ranges.hashCode();
  }

  /** The canonical ranges, {@code [10.0.0.0/8, ::1/128]}. */
  @Override
  public String toString() {
    return ranges.toString();
  }
}
