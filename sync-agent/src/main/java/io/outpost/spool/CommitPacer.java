package io.outpost.spool;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The wear budget of group commit ({@link SpoolOptions#maxCommitsPerSecond()}): decides when the writes gathered so far
 * may be committed. A commit may start at once when the previous one started at least one interval ago (a lone write
 * pays one fsync, no more); otherwise the writes wait for the interval to pass and share one commit, unless no write
 * arrived for a tenth of the interval, which means every writer waits for this commit and waiting longer would save
 * nothing. Without a budget every commit starts as soon as the writer is free. Time comes from an injected ticker.
 */
final class CommitPacer {
  private static final long MIN_QUIET_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

  private final long intervalNanos;
  private final long quietNanos;
  private final LongSupplier ticker;
  private long lastStart;
  private boolean started;

  CommitPacer(SpoolOptions options, LongSupplier ticker) {
    this.intervalNanos = options.commitInterval().toNanos();
    this.quietNanos = Math.max(MIN_QUIET_NANOS, intervalNanos / 10);
    this.ticker = ticker;
  }

  /** The ticker's reading now. */
  long now() {
    return ticker.getAsLong();
  }

  /** Whether writes gathered now may wait for more (the budget is spent until {@link #earliestStart}). */
  boolean mustWait(long now) {
    return intervalNanos > 0 && started && now - lastStart < intervalNanos;
  }

  /** Ticker time at which the budget allows the next commit. */
  long earliestStart() {
    return started ? lastStart + intervalNanos : Long.MIN_VALUE;
  }

  /** Longest pause between arrivals that still counts as a stream worth waiting for. */
  long quietNanos() {
    return quietNanos;
  }

  /** A commit started at {@code now}. */
  void started(long now) {
    lastStart = now;
    started = true;
  }
}
