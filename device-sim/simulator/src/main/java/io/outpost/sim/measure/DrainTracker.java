package io.outpost.sim.measure;

import java.time.Duration;

/**
 * Detects the backlog that arrives after an outage: every message whose end-to-end latency exceeds
 * a threshold is backlog; the backlog has finished arriving at the last such message, and the drain
 * rate is backlog messages over the time between the first and the last. Also records the longest
 * silence between arrivals, which is the outage as the subscriber saw it.
 *
 * <p>The threshold must sit well above the normal latency and below the outage length (default
 * {@link #DEFAULT_STALE_THRESHOLD}). One outage per run is assumed; with several, the figures span
 * from the first backlog to the last. Thread-safe.
 */
public final class DrainTracker {

  /** Default latency above which a message counts as backlog. */
  public static final Duration DEFAULT_STALE_THRESHOLD = Duration.ofSeconds(2);

  private final long thresholdMicros;
  private long backlog;
  private long firstNanos = -1;
  private long lastNanos = -1;
  private long maxBacklogMicros;
  private long previousArrivalNanos = -1;
  private long longestSilenceNanos;
  private long longestSilenceStartNanos = -1;

  public DrainTracker(Duration staleThreshold) {
    if (staleThreshold.isNegative() || staleThreshold.isZero()) {
      throw new IllegalArgumentException("stale threshold must be positive");
    }
    this.thresholdMicros = staleThreshold.toNanos() / 1000;
  }

  /**
   * Records one arrival.
   *
   * @param sinceStartNanos arrival time, nanoseconds since the consumer started
   * @param latencyMicros the message's end-to-end latency, or a negative value when unknown
   */
  public synchronized void onArrival(long sinceStartNanos, long latencyMicros) {
    if (previousArrivalNanos >= 0) {
      long silence = sinceStartNanos - previousArrivalNanos;
      if (silence > longestSilenceNanos) {
        longestSilenceNanos = silence;
        longestSilenceStartNanos = previousArrivalNanos;
      }
    }
    previousArrivalNanos = Math.max(previousArrivalNanos, sinceStartNanos);
    if (latencyMicros > thresholdMicros) {
      backlog++;
      if (firstNanos < 0) {
        firstNanos = sinceStartNanos;
      }
      lastNanos = sinceStartNanos;
      maxBacklogMicros = Math.max(maxBacklogMicros, latencyMicros);
    }
  }

  /** Backlog messages so far (for live progress). */
  public synchronized long backlogMessages() {
    return backlog;
  }

  public synchronized DrainSummary summary() {
    double first = firstNanos < 0 ? -1 : seconds(firstNanos);
    double last = lastNanos < 0 ? -1 : seconds(lastNanos);
    double drain = firstNanos < 0 ? 0 : seconds(lastNanos - firstNanos);
    double rate = drain > 0 ? (backlog - 1) / drain : 0;
    return new DrainSummary(
        thresholdMicros / 1000.0,
        backlog,
        first,
        last,
        drain,
        rate,
        maxBacklogMicros / 1000.0,
        seconds(longestSilenceNanos),
        longestSilenceStartNanos < 0 ? -1 : seconds(longestSilenceStartNanos));
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
