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
 * that gathered no write (a lone device that sends its next message only after this one's PUBACK),
 * a lone write commits at once again; a commit that finds several writes queued (writers overlap)
 * turns waiting back on.
 *
 * <p>The pause that ends a wait follows the stream: {@value #QUIET_GAPS} times the mean gap between
 * writes seen in recent waits, between half a millisecond and a tenth of the interval. Under a
 * saturating load (every writer's window is in this batch) the batch commits half a millisecond
 * after its last write instead of a tenth of the interval later; a slow stream, whose gaps are
 * long, keeps the full tenth.
 *
 * <p>A pause proves nothing about devices that send at their own pace in bursts spaced wider than
 * it (a timer tick, a TCP segment): ending the wait there commits once per burst, several times the
 * budget. So the pause the waits require also has a <em>patience</em>, learned from the stream: a
 * write that arrives after a gap longer than the stream-following pause (which would have ended the
 * wait) sets it to twice that gap, as does a write that arrives while a commit that a pause started
 * is running (it did not wait for that commit's PUBACK); both up to the whole interval. Since such
 * gaps are only seen while waiting past the pause, a wait that a pause would end probes on to the
 * interval's end instead, at most once every {@value #PROBE_INTERVALS} intervals. Each pause that
 * proves right (ends a wait, then nothing arrives while its commit runs) takes an eighth off the
 * patience, so writers that do wait for each commit get the short pause back and pay at most one
 * probe a second.
 */
final class CommitPacer {
  private static final long MIN_QUIET_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
  static final int FRUITLESS_LIMIT = 2;
  static final int QUIET_GAPS = 8;
  static final int PROBE_INTERVALS = 25;

  private final long intervalNanos;
  private final long maxQuietNanos;
  private final LongSupplier ticker;
  private long lastStart;
  private boolean started;
  private int fruitless;
  private long meanGapNanos = -1;
  private long patienceNanos;
  private long pauseEndedWait;
  private long nextProbe;

  CommitPacer(SpoolOptions options, LongSupplier ticker) {
    this.intervalNanos = options.commitInterval().toNanos();
    this.maxQuietNanos = Math.max(MIN_QUIET_NANOS, intervalNanos / 10);
    this.ticker = ticker;
    this.nextProbe = ticker.getAsLong() + PROBE_INTERVALS * intervalNanos;
  }

  /** The ticker's reading now. */
  long now() {
    return ticker.getAsLong();
  }

  /**
   * Whether the {@code queuedWrites} writes found now should wait for more: the budget is spent
   * until {@link #earliestStart}, and waiting has been gathering writes lately (or several are
   * queued already).
   */
  boolean mustWait(long now, int queuedWrites) {
    if (queuedWrites > 1) {
      fruitless = 0;
    }
    return intervalNanos > 0
        && started
        && now - lastStart < intervalNanos
        && fruitless < FRUITLESS_LIMIT;
  }

  /** A wait ended having gathered {@code writes} more writes. */
  void gathered(int writes) {
    fruitless = writes == 0 ? fruitless + 1 : 0;
  }

  /** Ticker time at which the budget allows the next commit. */
  long earliestStart() {
    return started ? lastStart + intervalNanos : Long.MIN_VALUE;
  }

  /** Longest pause between arrivals that still counts as a stream worth waiting for. */
  long quietNanos() {
    return Math.max(streamPauseNanos(), patienceNanos);
  }

  /** {@value #QUIET_GAPS} mean gaps, between half a millisecond and a tenth of the interval. */
  private long streamPauseNanos() {
    return meanGapNanos < 0
        ? maxQuietNanos
        : Math.max(MIN_QUIET_NANOS, Math.min(maxQuietNanos, QUIET_GAPS * meanGapNanos));
  }

  /**
   * A pause is about to end a wait at {@code now}: whether to wait on to the interval's end instead
   * and see if the stream goes on (at most once every {@value #PROBE_INTERVALS} intervals).
   */
  boolean probe(long now) {
    if (now - nextProbe < 0) {
      return false;
    }
    nextProbe = now + PROBE_INTERVALS * intervalNanos;
    return true;
  }

  /**
   * The wait for the commit about to start ended on a pause of {@code quietNanos}, or ({@code 0})
   * otherwise (the budget's interval ran out, the batch filled, a read came, or no wait at all).
   */
  void waitEnded(long quietNanos) {
    pauseEndedWait = Math.max(0, quietNanos);
  }

  /**
   * The commit started last has finished; {@code writesArrived}: writes arrived while it ran (after
   * its batch closed). After a wait that a pause ended, this adjusts the patience: doubled when the
   * stream was still flowing, an eighth less when the pause was right.
   */
  void finished(boolean writesArrived) {
    if (pauseEndedWait > 0) {
      long next =
          writesArrived
              ? Math.min(intervalNanos, 2 * pauseEndedWait)
              : patienceNanos - patienceNanos / 8;
      patienceNanos = next < MIN_QUIET_NANOS ? 0 : next;
    }
    pauseEndedWait = 0;
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
    if (elapsedNanos > streamPauseNanos()) {
      // the stream-following pause would have ended the wait before these writes
      patienceNanos = Math.min(intervalNanos, Math.max(patienceNanos, 2 * elapsedNanos));
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
