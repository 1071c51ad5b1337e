package io.outpost.log;

import java.time.Clock;
import java.time.Duration;

/**
 * Keeps a repeated log line from flooding the log: the first occurrence is logged, then at most one
 * per interval, carrying how many were left out in between. Thread-safe.
 *
 * <pre>{@code
 * long skipped = throttle.admit();
 * if (skipped >= 0) {
 *   LOG.warn("cloud unreachable: {} ({} more since the last report)", why, skipped);
 * }
 * }</pre>
 */
public final class LogThrottle {

  /** Interval used where none is configured: one summary every five minutes. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

  private final long intervalMillis;
  private final Clock clock;
  private long lastLoggedAt;
  private boolean logged;
  private long suppressed;

  /**
   * @param interval least time between two logged occurrences
   * @param clock where time comes from (a fixed or offset clock in tests)
   */
  public LogThrottle(Duration interval, Clock clock) {
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval: must not be negative, got " + interval);
    }
    this.intervalMillis = interval.toMillis();
    this.clock = clock;
  }

  /**
   * Records one occurrence.
   *
   * @return {@code -1} when it should not be logged; otherwise how many occurrences were left out
   *     since the last one logged (0 for the first)
   */
  public synchronized long admit() {
    long now = clock.millis();
    if (logged && now - lastLoggedAt < intervalMillis) {
      suppressed++;
      return -1;
    }
    long skipped = suppressed;
    logged = true;
    lastLoggedAt = now;
    suppressed = 0;
    return skipped;
  }

  /**
   * Ends a series (e.g. the link is back): the next occurrence is logged at once.
   *
   * @return how many occurrences were left out since the last one logged
   */
  public synchronized long reset() {
    long skipped = suppressed;
    logged = false;
    suppressed = 0;
    return skipped;
  }
}
