package io.outpost.cloud;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Events per second over the last {@value #SECONDS} seconds, in one-second buckets: the drain rate
 * an operator reads in {@code outpost.cloud.drain.rate} without a time-series database. Recorded on
 * the link thread, read by the metrics scrape; time from an injected ticker.
 */
final class RateWindow {
  static final int SECONDS = 10;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final LongSupplier ticker;
  private final long[] counts = new long[SECONDS];
  private final long origin;
  private long currentSecond;

  RateWindow(LongSupplier ticker) {
    this.ticker = ticker;
    this.origin = ticker.getAsLong();
  }

  synchronized void record(long events) {
    advance();
    counts[(int) (currentSecond % SECONDS)] += events;
  }

  /**
   * Mean events per second over the last {@code SECONDS - 1} whole seconds (the current one not
   * counted).
   */
  synchronized double perSecond() {
    advance();
    long total = 0;
    for (int i = 0; i < SECONDS; i++) {
      if (i != (int) (currentSecond % SECONDS)) {
        total += counts[i];
      }
    }
    return (double) total / (SECONDS - 1);
  }

  private void advance() {
    long second = (ticker.getAsLong() - origin) / SECOND;
    for (long s = Math.max(currentSecond + 1, second - SECONDS + 1); s <= second; s++) {
      counts[(int) (s % SECONDS)] = 0;
    }
    currentSecond = Math.max(currentSecond, second);
  }
}
