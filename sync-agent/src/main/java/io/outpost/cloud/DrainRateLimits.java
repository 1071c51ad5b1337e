package io.outpost.cloud;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * The drain's publishes/s and bytes/s limits, as Resilience4j rate limiters used without blocking:
 * the drain reserves permits and schedules the publish for when they become valid.
 */
final class DrainRateLimits {
  private static final Duration PERIOD = Duration.ofSeconds(1);

  /** Reservations are always granted; the returned wait is what the drain schedules. */
  private static final Duration MAX_RESERVATION = Duration.ofDays(1);

  private final RateLimiter publishes;
  private final RateLimiter bytes;
  private final int bytesPerPeriod;

  DrainRateLimits(CloudOptions options) {
    this.publishes =
        options.maxPublishesPerSecond() > 0
            ? RateLimiter.of("outpost-cloud-publishes", config(options.maxPublishesPerSecond()))
            : null;
    this.bytes =
        options.maxBytesPerSecond() > 0
            ? RateLimiter.of(
                "outpost-cloud-bytes", config((int) (long) options.maxBytesPerSecond()))
            : null;
    this.bytesPerPeriod = (int) Math.min(Integer.MAX_VALUE, options.maxBytesPerSecond());
  }

  private static RateLimiterConfig config(int perSecond) {
    return RateLimiterConfig.custom()
        .limitForPeriod(perSecond)
        .limitRefreshPeriod(PERIOD)
        .timeoutDuration(MAX_RESERVATION)
        .build();
  }

  /**
   * Reserves one publish of {@code size} bytes; returns how long to wait before sending it (0 =
   * now).
   */
  long reserveNanos(int size) {
    long wait = 0;
    if (publishes != null) {
      wait = Math.max(wait, publishes.reservePermission(1));
    }
    if (bytes != null) {
      wait = Math.max(wait, bytes.reservePermission(Math.max(1, Math.min(size, bytesPerPeriod))));
    }
    return wait;
  }
}
