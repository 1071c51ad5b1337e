package io.outpost.function.runtime.schedule;

import java.time.Instant;

/**
 * When a scheduled function runs: a cron expression ({@link CronTiming}) or a fixed interval
 * ({@link EveryTiming}). Parsed from the descriptor's {@code schedule} and {@code every} keys.
 */
public sealed interface Timing permits CronTiming, EveryTiming {

  /** The first run strictly after {@code after}; null when the schedule never runs again. */
  Instant next(Instant after);

  /**
   * Parses a descriptor's {@code schedule} and {@code every}; null when the function has neither.
   *
   * @throws IllegalArgumentException {@code "<key>: why"} for a bad value or both keys at once
   */
  static Timing parse(String schedule, String every) {
    if (schedule != null && every != null) {
      throw new IllegalArgumentException(
          "every: give either schedule (cron) or every (an interval), not both");
    }
    if (schedule != null) {
      return CronTiming.parse(schedule);
    }
    if (every != null) {
      return EveryTiming.parse(every);
    }
    return null;
  }
}
