package io.outpost.sim.measure;

import java.util.Map;
import java.util.TreeMap;

/**
 * The sequence numbers of one device that have not arrived yet, stored as inclusive ranges so a
 * long outage costs one entry, not one per message. Not thread-safe; {@link DeviceSequence} guards
 * it.
 */
final class GapSet {

  private final TreeMap<Long, Long> ranges = new TreeMap<>();
  private long size;

  /** Adds the range {@code [from, to]}; callers only add ranges above every existing one. */
  void add(long from, long to) {
    ranges.put(from, to);
    size += to - from + 1;
  }

  /** Removes {@code seq} if it is missing, splitting its range; returns whether it was missing. */
  boolean remove(long seq) {
    Map.Entry<Long, Long> e = ranges.floorEntry(seq);
    if (e == null || e.getValue() < seq) {
      return false;
    }
    long from = e.getKey();
    long to = e.getValue();
    ranges.remove(from);
    if (from < seq) {
      ranges.put(from, seq - 1);
    }
    if (seq < to) {
      ranges.put(seq + 1, to);
    }
    size--;
    return true;
  }

  /** Drops the lowest range and returns {@code {from, to}}, or null when empty. */
  long[] pollLowest() {
    Map.Entry<Long, Long> e = ranges.pollFirstEntry();
    if (e == null) {
      return null;
    }
    size -= e.getValue() - e.getKey() + 1;
    return new long[] {e.getKey(), e.getValue()};
  }

  /** Number of missing sequence numbers. */
  long size() {
    return size;
  }

  /** Number of ranges held (the memory cost). */
  int rangeCount() {
    return ranges.size();
  }
}
