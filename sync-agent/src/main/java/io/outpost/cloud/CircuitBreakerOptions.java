package io.outpost.cloud;

import java.time.Duration;

/**
 * Circuit breaker on connection attempts ({@code cloud.circuitBreaker}), via Resilience4j: after
 * {@code failureThreshold} failed attempts in a row the link stops trying for {@code openSeconds},
 * then lets one trial attempt through.
 *
 * @param failureThreshold consecutive failed attempts that open the circuit. Default {@value
 *     #DEFAULT_FAILURE_THRESHOLD}.
 * @param openSeconds how long it stays open. Default {@value #DEFAULT_OPEN_SECONDS}.
 */
public record CircuitBreakerOptions(Integer failureThreshold, Integer openSeconds) {
  public static final int DEFAULT_FAILURE_THRESHOLD = 10;
  public static final int DEFAULT_OPEN_SECONDS = 60;

  public CircuitBreakerOptions {
    failureThreshold = failureThreshold == null ? DEFAULT_FAILURE_THRESHOLD : failureThreshold;
    openSeconds = openSeconds == null ? DEFAULT_OPEN_SECONDS : openSeconds;
    if (failureThreshold <= 0) {
      throw new IllegalArgumentException(
          "circuitBreaker.failureThreshold: must be > 0, got " + failureThreshold);
    }
    if (openSeconds <= 0) {
      throw new IllegalArgumentException(
          "circuitBreaker.openSeconds: must be > 0, got " + openSeconds);
    }
  }

  public static CircuitBreakerOptions defaults() {
    return new CircuitBreakerOptions(null, null);
  }

  public Duration openDuration() {
    return Duration.ofSeconds(openSeconds);
  }
}
