package io.outpost.spool;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Durable store-and-forward queue of messages bound for the cloud.
 *
 * <p>The ingest side ({@link #append}) is used by the daemon: it acknowledges a device's publish
 * only when the append future completes, which happens after the message is committed to disk. The
 * drain side ({@link #lease}, {@link #acknowledge}, {@link #release}, {@link #deadLetter}) is used
 * by the cloud link: a message is deleted only when the cloud acknowledged it.
 *
 * <p>All methods are non-blocking; futures complete on the spool's writer thread, so dependants
 * must not block (use the {@code *Async} variants to hop elsewhere).
 */
public interface Spool extends AutoCloseable {

  /**
   * Stores a message.
   *
   * @return completes with the message's stable id once the message is durable; fails with {@link
   *     SpoolFullException} (capacity, reject-new) or {@link SpoolUnavailableException} (queue
   *     full, disk full, I/O error, closed)
   */
  CompletableFuture<Long> append(SpoolEntry entry);

  /**
   * Hands up to {@code max} stored messages to the drain, highest priority first, FIFO (by id)
   * within a priority. Messages already leased are skipped; expired ones are purged (counted as
   * {@code ttl}) instead of returned.
   */
  CompletableFuture<List<SpooledMessage>> lease(int max);

  /** Deletes delivered messages (the cloud acknowledged them). Unknown ids are ignored. */
  CompletableFuture<Void> acknowledge(Collection<Long> ids);

  /**
   * As {@link #acknowledge(Collection)}; {@code prompt} asks to commit the delete without waiting
   * for the wear budget (a backlog drains and its in-flight window waits for the delete). Without
   * it the delete shares the next budgeted commit with the appends.
   */
  default CompletableFuture<Void> acknowledge(Collection<Long> ids, boolean prompt) {
    return acknowledge(ids);
  }

  /**
   * Returns leased messages to the queue (e.g. the connection dropped before the cloud acknowledged
   * them).
   */
  void release(Collection<Long> ids);

  /**
   * Moves refused messages to the dead-letter table with a reason; counted as {@code too-large}
   * when the reason starts with it, else as {@code rejected-by-cloud}.
   */
  CompletableFuture<Void> deadLetter(Collection<Long> ids, String reason);

  /** Dead letters, oldest first. */
  CompletableFuture<List<DeadLetter>> deadLetters(int limit);

  /**
   * Dead letters after {@code after} (by time of failure, then id), oldest first: a page of an
   * export that may be larger than memory. {@code after} null starts at the oldest.
   */
  CompletableFuture<List<DeadLetter>> deadLettersAfter(DeadLetter after, int limit);

  /**
   * Moves a dead letter back into the spool under its original id; {@code false} if there is no
   * such dead letter.
   */
  CompletableFuture<Boolean> retryDeadLetter(long id);

  /**
   * Deletes the listed dead letters for good; completes with how many existed. Unknown ids are
   * ignored.
   */
  CompletableFuture<Integer> deleteDeadLetters(Collection<Long> ids);

  /** Deletes every dead letter for good; completes with how many there were. */
  CompletableFuture<Integer> purgeDeadLetters();

  /**
   * Registers a callback run (on the writer thread; must not block) whenever new messages become
   * leasable.
   */
  void onAvailable(Runnable listener);

  /** Unregisters a callback given to {@link #onAvailable}. */
  void removeOnAvailable(Runnable listener);

  /** Current counters. */
  SpoolStats stats();

  /** Stops accepting work, finishes what is queued, closes the database. Idempotent. */
  @Override
  void close();
}
