package io.outpost.spool;

/**
 * Told on the writer thread after each successful commit (after the fsync) and before the futures
 * of its writes complete. {@link #NONE} in production; tests observe commits through it.
 */
@FunctionalInterface
interface CommitListener {
  CommitListener NONE = operations -> {};

  /** A commit of {@code operations} writes is durable. */
  void committed(int operations);
}
