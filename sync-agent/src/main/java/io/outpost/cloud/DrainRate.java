package io.outpost.cloud;

import java.time.Clock;

/**
 * Messages delivered to the cloud per second over the last {@value #WINDOW_SECONDS} seconds: one
 * bucket per second in a ring, so the rate follows the link within a window and costs no allocation
 * per delivery. Thread-safe.
 */
final class DrainRate {
  static final int WINDOW_SECONDS = 30;

  private final Clock clock;
  private final long[] counts = new long[WINDOW_SECONDS];
  private final long[] seconds = new long[WINDOW_SECONDS];

  DrainRate(Clock clock) {
    this.clock = clock;
  }

  synchronized void delivered(long messages) {
    long now = clock.millis() / 1000;
    int slot = (int) (now % WINDOW_SECONDS);
    if (seconds[slot] != now) {
      seconds[slot] = now;
      counts[slot] = 0;
    }
    counts[slot] += messages;
  }

  /** Average messages per second over the window (0 when nothing was delivered in it). */
  synchronized double perSecond() {
    long now = clock.millis() / 1000;
    long sum = 0;
    for (int i = 0; i < WINDOW_SECONDS; i++) {
      if (now - seconds[i] < WINDOW_SECONDS && seconds[i] <= now) {
        sum += counts[i];
      }
    }
    return sum / (double) WINDOW_SECONDS;
  }
}
