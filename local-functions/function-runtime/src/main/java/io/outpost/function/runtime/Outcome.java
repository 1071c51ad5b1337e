package io.outpost.function.runtime;

/** How an invocation ended; the {@code outcome} tag of {@code outpost.function.invocations}. */
public enum Outcome {
  /** The handler returned normally; its outputs were published. */
  OK,
  /**
   * The handler threw, returned too many messages, produced an invalid reply or the payload had the
   * wrong encoding.
   */
  ERROR,
  /**
   * The handler did not finish within its timeout and was cancelled (a process child is killed and
   * restarted).
   */
  TIMEOUT,
  /**
   * The function's queue was full: this invocation was rejected or, with {@code drop-oldest},
   * evicted.
   */
  OVERFLOW,
  /** The function is BROKEN (too many consecutive failures) and is backing off. */
  BROKEN,
  /** No function with this name is deployed. */
  NOT_FOUND,
  /** The runtime or this function version stopped before the invocation ran. */
  STOPPED;

  /** The lowercase metric tag value. */
  public String tag() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** True for outcomes that publish an error record. */
  public boolean isFailure() {
    return this != OK;
  }
}
