package io.outpost.cloud;

import java.time.Duration;

/**
 * Reconnect backoff ({@code cloud.backoff}): exponential with random jitter, via Resilience4j.
 *
 * @param initialMillis first delay. Default {@value #DEFAULT_INITIAL_MILLIS}.
 * @param maxMillis cap of the delay. Default {@value #DEFAULT_MAX_MILLIS}.
 * @param multiplier growth per failed attempt. Default {@value #DEFAULT_MULTIPLIER}.
 * @param jitter randomization factor in [0, 1): each delay is drawn from {@code d * (1 ± jitter)}.
 *     Default {@value #DEFAULT_JITTER}.
 * @param probeMillis delay between attempts while nothing answers at the cloud's address
 *     (connection refused, no route, unknown host), instead of the growing backoff: such attempts
 *     cost the cloud nothing, and the link is back within about this long (± jitter, which spreads
 *     a fleet's reconnects) after the cloud returns. {@code 0} = back off as for any other failure.
 *     Default {@value #DEFAULT_PROBE_MILLIS}; at most {@code maxMillis}.
 */
public record BackoffOptions(
    Long initialMillis, Long maxMillis, Double multiplier, Double jitter, Long probeMillis) {
  public static final long DEFAULT_INITIAL_MILLIS = 500;
  public static final long DEFAULT_MAX_MILLIS = 5_000;
  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final double DEFAULT_JITTER = 0.5;
  public static final long DEFAULT_PROBE_MILLIS = 500;

  public BackoffOptions {
    initialMillis = initialMillis == null ? DEFAULT_INITIAL_MILLIS : initialMillis;
    maxMillis = maxMillis == null ? DEFAULT_MAX_MILLIS : maxMillis;
    multiplier = multiplier == null ? DEFAULT_MULTIPLIER : multiplier;
    jitter = jitter == null ? DEFAULT_JITTER : jitter;
    probeMillis = probeMillis == null ? Math.min(DEFAULT_PROBE_MILLIS, maxMillis) : probeMillis;
    if (initialMillis <= 0) {
      throw new IllegalArgumentException(
          "backoff.initialMillis: must be > 0, got " + initialMillis);
    }
    if (maxMillis < initialMillis) {
      throw new IllegalArgumentException(
          "backoff.maxMillis: must be >= initialMillis, got " + maxMillis);
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("backoff.multiplier: must be >= 1, got " + multiplier);
    }
    if (jitter < 0 || jitter >= 1) {
      throw new IllegalArgumentException("backoff.jitter: must be in [0, 1), got " + jitter);
    }
    if (probeMillis < 0 || probeMillis > maxMillis) {
      throw new IllegalArgumentException(
          "backoff.probeMillis: must be between 0 (off) and maxMillis, got " + probeMillis);
    }
  }

  /** Without {@code probeMillis} (its default). */
  public BackoffOptions(Long initialMillis, Long maxMillis, Double multiplier, Double jitter) {
    this(initialMillis, maxMillis, multiplier, jitter, null);
  }

  public static BackoffOptions defaults() {
    return new BackoffOptions(null, null, null, null, null);
  }

  public Duration initial() {
    return Duration.ofMillis(initialMillis);
  }

  public Duration max() {
    return Duration.ofMillis(maxMillis);
  }

  public Duration probe() {
    return Duration.ofMillis(probeMillis);
  }
}
