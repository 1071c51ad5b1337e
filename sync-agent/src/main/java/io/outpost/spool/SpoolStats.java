package io.outpost.spool;

import java.time.Duration;
import java.util.Map;

/**
 * A point-in-time view of the spool, for the admin API and status pages. Cheap: read from counters
 * kept by the writer, no query.
 *
 * @param depth messages stored (including leased ones)
 * @param bytes stored size accounted against {@code maxBytes}
 * @param maxBytes the configured capacity
 * @param oldestAge age of the oldest stored message, {@link Duration#ZERO} when empty
 * @param leased messages currently handed to the drain and not yet acknowledged
 * @param queuedAppends appends waiting for the writer thread
 * @param dropped messages dropped since start, by reason
 * @param deadLetters rows in the dead-letter table
 * @param depthByRoute stored messages per route
 * @param writable {@code false} while the last commit failed (disk full, I/O error)
 * @param lastError the last write error, or {@code null}
 */
public record SpoolStats(
    long depth,
    long bytes,
    long maxBytes,
    Duration oldestAge,
    long leased,
    long queuedAppends,
    Map<DropReason, Long> dropped,
    long deadLetters,
    Map<String, Long> depthByRoute,
    boolean writable,
    String lastError) {

  /** Drops for one reason since start. */
  public long dropped(DropReason reason) {
    return dropped.getOrDefault(reason, 0L);
  }
}
