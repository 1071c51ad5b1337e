package io.outpost.spool;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Work for the writer thread. Writes run inside the batch transaction; reads run after it
 * committed.
 */
sealed interface SpoolOp {

  /** Runs in the group-commit transaction. */
  sealed interface Write extends SpoolOp {}

  /**
   * Runs against committed state: after the commit of the writes queued with it, or — a lease or
   * release that arrives while the writer gathers writes for a wear-budgeted commit — at once,
   * before those writes commit.
   */
  sealed interface Read extends SpoolOp {}

  /**
   * Store one message; {@code durable} futures complete after the commit, others already completed.
   */
  record Append(long id, SpoolEntry entry, CompletableFuture<Long> future, boolean durable)
      implements Write {}

  /**
   * Delete delivered messages; {@code prompt}: the drain waits for this delete, so commit it
   * without gathering.
   */
  record Ack(Collection<Long> ids, CompletableFuture<Void> future, boolean prompt)
      implements Write {}

  record Reject(Collection<Long> ids, String reason, CompletableFuture<Void> future)
      implements Write {}

  record Retry(long id, CompletableFuture<Boolean> future) implements Write {}

  /** Delete dead letters for good: the listed ones or, when {@code all}, every one. */
  record DeleteDeadLetters(Collection<Long> ids, boolean all, CompletableFuture<Integer> future)
      implements Write {}

  /**
   * Delete expired messages: the listed ones (found while leasing) or, when {@code ids} is empty, a
   * full sweep.
   */
  record Purge(List<Long> ids) implements Write {}

  record Lease(int max, CompletableFuture<List<SpooledMessage>> future) implements Read {}

  record Release(Collection<Long> ids) implements Read {}

  record ListDeadLetters(int limit, CompletableFuture<List<DeadLetter>> future) implements Read {}

  /**
   * Dead letters after a cursor (time of failure, then id); {@code after} null starts at the
   * oldest.
   */
  record PageDeadLetters(DeadLetter after, int limit, CompletableFuture<List<DeadLetter>> future)
      implements Read {}

  /** Last op: finish and close the database. */
  record Stop(CompletableFuture<Void> future) implements Read {}
}
