package io.outpost.sim.measure;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Concurrent latency recording in microseconds on HdrHistogram (3 significant digits,
 * auto-resizing, so memory grows with the logarithm of the largest value only).
 *
 * <p>Callers record against the <em>intended</em> send time, not the moment the send actually
 * happened, so a stalled publisher or broker shows up in the tail instead of hiding (coordinated
 * omission). Any number of threads may {@link #record}; {@link #interval()} and {@link #total()}
 * may be called from one reporting thread at a time.
 */
public final class LatencyRecorder {

  private static final int SIGNIFICANT_DIGITS = 3;

  private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
  private final Histogram total = new Histogram(SIGNIFICANT_DIGITS);
  private Histogram recycled;
  private long negative;

  /**
   * Records one latency; negative values (clock skew between hosts) are recorded as 0 and counted.
   */
  public void record(long micros) {
    if (micros < 0) {
      synchronized (this) {
        negative++;
      }
      micros = 0;
    }
    recorder.recordValue(micros);
  }

  /**
   * The values recorded since the previous call to this or {@link #total()}, folded into the total.
   */
  public synchronized LatencySummary interval() {
    recycled = recorder.getIntervalHistogram(recycled);
    total.add(recycled);
    return LatencySummary.ofMicros(recycled);
  }

  /** Everything recorded so far. */
  public synchronized LatencySummary total() {
    interval();
    return LatencySummary.ofMicros(total);
  }

  /** A copy of the full histogram, for callers that want other percentiles. */
  public synchronized Histogram totalHistogram() {
    interval();
    return total.copy();
  }

  /** Values that were negative (sender's clock ahead of the receiver's). */
  public synchronized long negativeCount() {
    return negative;
  }
}
