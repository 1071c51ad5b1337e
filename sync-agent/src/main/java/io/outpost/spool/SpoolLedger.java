package io.outpost.spool;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-memory accounting of what the spool holds (depth, bytes, per route) and what is leased to the
 * drain. Written only by the writer thread; the counters are safe to read from any thread for stats
 * and gauges.
 */
final class SpoolLedger {
  /** A leased message's accounting data. */
  record Lease(String route, int size) {}

  private final AtomicLong depth = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final Map<String, AtomicLong> depthByRoute = new ConcurrentHashMap<>();
  private final Map<Long, Lease> leased = new HashMap<>();
  private volatile int leasedCount;
  private volatile long oldestReceivedAt = -1;

  void reset(List<SpoolStore.RouteTotal> totals) {
    depth.set(0);
    bytes.set(0);
    depthByRoute.clear();
    for (SpoolStore.RouteTotal total : totals) {
      depth.addAndGet(total.count());
      bytes.addAndGet(total.bytes());
      depthByRoute.put(total.route(), new AtomicLong(total.count()));
    }
  }

  void added(String route, int size) {
    depth.incrementAndGet();
    bytes.addAndGet(size);
    depthByRoute.computeIfAbsent(route, r -> new AtomicLong()).incrementAndGet();
  }

  void removed(String route, int size) {
    depth.decrementAndGet();
    bytes.addAndGet(-size);
    AtomicLong count = depthByRoute.get(route);
    if (count != null && count.decrementAndGet() <= 0) {
      depthByRoute.remove(route);
    }
  }

  long depth() {
    return depth.get();
  }

  long bytes() {
    return bytes.get();
  }

  Map<String, Long> depthByRoute() {
    Map<String, Long> copy = new TreeMap<>();
    depthByRoute.forEach((route, count) -> copy.put(route, count.get()));
    return copy;
  }

  void lease(long id, String route, int size) {
    leased.put(id, new Lease(route, size));
    leasedCount = leased.size();
  }

  boolean isLeased(long id) {
    return leased.containsKey(id);
  }

  /** The lease of {@code id}, or {@code null}. */
  Lease leaseOf(long id) {
    return leased.get(id);
  }

  /** Ends a lease; returns it, or {@code null} if the id was not leased. */
  Lease unlease(long id) {
    Lease lease = leased.remove(id);
    leasedCount = leased.size();
    return lease;
  }

  int leasedCount() {
    return leasedCount;
  }

  void oldestReceivedAt(long millis) {
    oldestReceivedAt = millis;
  }

  long oldestReceivedAt() {
    return oldestReceivedAt;
  }
}
