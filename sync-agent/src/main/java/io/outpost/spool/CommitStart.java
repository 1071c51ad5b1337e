package io.outpost.spool;

/**
 * Why a group commit started when it did: {@code outpost.spool.commit.started{after}} counts each,
 * so an operator sees whether the wear budget ({@code storage.maxCommitsPerSecond}) holds or which
 * rule commits more often than it.
 */
enum CommitStart {
  /** The budget was unspent (or waiting is off: budget 0, a lone writer): no wait. */
  AT_ONCE("at-once"),
  /** Gathered writes until the budget's interval ran out. */
  INTERVAL("interval"),
  /** Gathered writes until the stream paused (its writers were waiting for the commit). */
  PAUSE("pause"),
  /**
   * The writes gathered hold {@link SpoolWriter#FULL_BATCH_BYTES} of payload: a commit that large
   * writes little beyond its payload, so the budget does not hold it back.
   */
  FULL("full"),
  /** A full batch, a read or a prompt delete ended the wait, or a TTL sweep needed no wait. */
  OTHER("other");

  private final String tag;

  CommitStart(String tag) {
    this.tag = tag;
  }

  /** The metric tag value. */
  String tag() {
    return tag;
  }
}
