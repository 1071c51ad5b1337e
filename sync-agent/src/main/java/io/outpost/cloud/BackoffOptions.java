package io.outpost.cloud;

import java.time.Duration;

/**
 * Reconnect backoff ({@code cloud.backoff}): exponential with random jitter, via Resilience4j.
 *
 * @param initialMillis first delay. Default {@value #DEFAULT_INITIAL_MILLIS}.
 * @param maxMillis cap of the delay. Default {@value #DEFAULT_MAX_MILLIS}.
 * @param multiplier growth per failed attempt. Default {@value #DEFAULT_MULTIPLIER}.
 * @param jitter randomization factor in [0, 1): each delay is drawn from {@code d * (1 ± jitter)}. Default
 *     {@value #DEFAULT_JITTER}.
 */
public record BackoffOptions(Long initialMillis, Long maxMillis, Double multiplier, Double jitter) {
  public static final long DEFAULT_INITIAL_MILLIS = 500;
  public static final long DEFAULT_MAX_MILLIS = 5_000;
  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final double DEFAULT_JITTER = 0.5;

  public BackoffOptions {
    initialMillis = initialMillis == null ? DEFAULT_INITIAL_MILLIS : initialMillis;
    maxMillis = maxMillis == null ? DEFAULT_MAX_MILLIS : maxMillis;
    multiplier = multiplier == null ? DEFAULT_MULTIPLIER : multiplier;
    jitter = jitter == null ? DEFAULT_JITTER : jitter;
    if (initialMillis <= 0) {
      throw new IllegalArgumentException("backoff.initialMillis: must be > 0, got " + initialMillis);
    }
    if (maxMillis < initialMillis) {
      throw new IllegalArgumentException("backoff.maxMillis: must be >= initialMillis, got " + maxMillis);
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("backoff.multiplier: must be >= 1, got " + multiplier);
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("backoff.jitter: must be in [0, 1), got " + jitter);
    }
  }

  public static BackoffOptions defaults() {
    return new BackoffOptions(null, null, null, null);
  }

  public Duration initial() {
    return Duration.ofMillis(initialMillis);
  }

  public Duration max() {
    return Duration.ofMillis(maxMillis);
  }
}
