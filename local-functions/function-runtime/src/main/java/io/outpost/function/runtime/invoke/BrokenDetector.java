package io.outpost.function.runtime.invoke;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import java.time.Clock;

/**
 * Greengrass-style ERRORED→BROKEN detection as a Resilience4j circuit breaker: {@code
 * brokenThreshold} consecutive failures open it (BROKEN); after an exponential back-off one trial
 * invocation is let through (half-open); success closes it, failure re-opens it for longer.
 */
final class BrokenDetector {

  private static final double BACKOFF_MULTIPLIER = 2.0;

  private BrokenDetector() {}

  static CircuitBreaker create(
      FunctionSpec spec, FunctionRuntimeOptions options, Clock clock, Runnable onChange) {
    int threshold = options.brokenThreshold();
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(threshold)
            .minimumNumberOfCalls(threshold)
            .failureRateThreshold(100f)
            .permittedNumberOfCallsInHalfOpenState(1)
            .waitIntervalFunctionInOpenState(
                IntervalFunction.ofExponentialBackoff(
                    options.brokenBackoffMillis(),
                    BACKOFF_MULTIPLIER,
                    options.brokenBackoffMaxMillis()))
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .writableStackTraceEnabled(false)
            .clock(clock)
            .build();
    CircuitBreaker breaker = CircuitBreaker.of(spec.name() + "@" + spec.version(), config);
    breaker.getEventPublisher().onStateTransition(event -> onChange.run());
    return breaker;
  }
}
