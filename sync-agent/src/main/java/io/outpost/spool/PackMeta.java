package io.outpost.spool;

import java.util.Arrays;
import java.util.BitSet;

/**
 * What the writer keeps in memory of a stored pack: its messages' ids, routes and accounted sizes
 * (20 bytes a message), and which of them are gone (delivered, expired, evicted or dead-lettered).
 * Payloads stay on disk.
 */
final class PackMeta {
  final long id;
  final long[] ids;
  final long[] routeIds;
  final int[] sizes;
  final BitSet gone;
  private int live;

  private PackMeta(long id, long[] ids, long[] routeIds, int[] sizes, BitSet gone) {
    this.id = id;
    this.ids = ids;
    this.routeIds = routeIds;
    this.sizes = sizes;
    this.gone = gone;
    this.live = ids.length - gone.cardinality();
  }

  /** Decodes the accounting data of a stored body; {@code gone} as stored, or null for none. */
  static PackMeta decode(long id, byte[] body, byte[] gone) {
    int capacity = 64;
    long[] ids = new long[capacity];
    long[] routes = new long[capacity];
    int[] sizes = new int[capacity];
    int n = 0;
    PackCodec.Reader reader = new PackCodec.Reader(id, body);
    while (reader.next()) {
      if (n == capacity) {
        capacity *= 2;
        ids = Arrays.copyOf(ids, capacity);
        routes = Arrays.copyOf(routes, capacity);
        sizes = Arrays.copyOf(sizes, capacity);
      }
      ids[n] = reader.id;
      routes[n] = reader.routeId;
      sizes[n] = reader.size;
      n++;
    }
    return new PackMeta(
        id,
        Arrays.copyOf(ids, n),
        Arrays.copyOf(routes, n),
        Arrays.copyOf(sizes, n),
        gone == null ? new BitSet(n) : BitSet.valueOf(gone));
  }

  long lastId() {
    return ids[ids.length - 1];
  }

  /** Index of message {@code messageId}, or -1 when the pack does not hold it. */
  int indexOf(long messageId) {
    int i = Arrays.binarySearch(ids, messageId);
    return i < 0 ? -1 : i;
  }

  boolean isLive(int index) {
    return !gone.get(index);
  }

  /** Marks a message gone; false when it already was. */
  boolean remove(int index) {
    if (gone.get(index)) {
      return false;
    }
    gone.set(index);
    live--;
    return true;
  }

  int live() {
    return live;
  }
}
