package io.outpost.spool;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The wear budget of group commit ({@link SpoolOptions#maxCommitsPerSecond()}): decides when the
 * writes gathered so far may be committed. A commit may start at once when the previous one started
 * at least one interval ago (a lone write pays one fsync, no more); otherwise the writes wait for
 * the interval to pass and share one commit, unless no write arrived for a tenth of the interval,
 * which means every writer waits for this commit and waiting longer would save nothing. Without a
 * budget every commit starts as soon as the writer is free. Time comes from an injected ticker.
 *
 * <p>Waiting pays only when others write meanwhile. After {@value #FRUITLESS_LIMIT} waits in a row
 * that gathered no append (a lone device that sends its next message only after this one's PUBACK),
 * a lone append commits at once again; a commit that finds several appends queued (writers overlap)
 * turns waiting back on. Only appends count: the drain's deletes arrive between a lone device's
 * appends without anyone waiting for them.
 *
 * <p>The pause that ends a wait follows the stream: {@value #QUIET_GAPS} times the mean gap between
 * writes seen in recent waits, between half a millisecond and a tenth of the interval. Under a
 * saturating load (every writer's window is in this batch) the batch commits half a millisecond
 * after its last write instead of a tenth of the interval later; a slow stream, whose gaps are
 * long, keeps the full tenth.
 */
final class CommitPacer {
  private static final long MIN_QUIET_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
  static final int FRUITLESS_LIMIT = 2;
  static final int QUIET_GAPS = 8;

  private final long intervalNanos;
  private final long maxQuietNanos;
  private final LongSupplier ticker;
  private long lastStart;
  private boolean started;
  private int fruitless;
  private long meanGapNanos = -1;

  CommitPacer(SpoolOptions options, LongSupplier ticker) {
    this.intervalNanos = options.commitInterval().toNanos();
    this.maxQuietNanos = Math.max(MIN_QUIET_NANOS, intervalNanos / 10);
    this.ticker = ticker;
  }

  /** The ticker's reading now. */
  long now() {
    return ticker.getAsLong();
  }

  /**
   * Whether the writes found now, {@code queuedAppends} of them appends, should wait for more: the
   * budget is spent until {@link #earliestStart}, and waiting has been gathering appends lately (or
   * several are queued already).
   */
  boolean mustWait(long now, int queuedAppends) {
    if (queuedAppends > 1) {
      fruitless = 0;
    }
    return withinInterval(now) && fruitless < FRUITLESS_LIMIT;
  }

  /**
   * Whether the budget's interval since the last commit's start is still running: a commit now
   * would exceed the budget. Unlike {@link #mustWait}, whatever waiting gathered lately.
   */
  boolean withinInterval(long now) {
    return intervalNanos > 0 && started && now - lastStart < intervalNanos;
  }

  /** A wait ended having gathered {@code appends} more appends. */
  void gathered(int appends) {
    fruitless = appends == 0 ? fruitless + 1 : 0;
  }

  /** Ticker time at which the budget allows the next commit. */
  long earliestStart() {
    return started ? lastStart + intervalNanos : Long.MIN_VALUE;
  }

  /** Longest pause between arrivals that still counts as a stream worth waiting for. */
  long quietNanos() {
    if (meanGapNanos < 0) {
      return maxQuietNanos;
    }
    return Math.max(MIN_QUIET_NANOS, Math.min(maxQuietNanos, QUIET_GAPS * meanGapNanos));
  }

  /**
   * During a wait, {@code writes} writes arrived {@code elapsedNanos} after the previous arrival
   * (or the wait's start): updates the mean gap between writes (a moving average over about eight
   * arrivals).
   */
  void arrived(long elapsedNanos, int writes) {
    if (writes <= 0) {
      return;
    }
    long gap = Math.max(0, elapsedNanos) / writes;
    meanGapNanos = meanGapNanos < 0 ? gap : meanGapNanos + (gap - meanGapNanos) / 8;
  }

  /** A commit started at {@code now}. */
  void started(long now) {
    lastStart = now;
    started = true;
  }
}
