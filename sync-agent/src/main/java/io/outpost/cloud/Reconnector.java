package io.outpost.cloud;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps trying to connect: Resilience4j's async retry (exponential backoff with jitter, scheduled on the link's
 * scheduler — no thread sleeps) around a circuit breaker that stops attempts for a while after repeated failures.
 */
final class Reconnector {
  /** Thrown into the retry loop to end it when the link stops. */
  static final class StoppedException extends RuntimeException {
    StoppedException() {
      super("cloud link stopped", null, false, false);
    }
  }

  private final Retry retry;
  private final CircuitBreaker breaker;
  private final ScheduledExecutorService scheduler;

  Reconnector(CloudOptions options, ScheduledExecutorService scheduler, Clock clock,
      Consumer<Throwable> onFailedAttempt) {
    this.scheduler = scheduler;
    BackoffOptions backoff = options.backoff();
    this.retry = Retry.of("outpost-cloud-connect", RetryConfig.custom()
        .maxAttempts(Integer.MAX_VALUE)
        .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(backoff.initial(), backoff.multiplier(),
            backoff.jitter(), backoff.max()))
        .retryOnException(e -> !(unwrap(e) instanceof StoppedException))
        .build());
    CircuitBreakerOptions cb = options.circuitBreaker();
    this.breaker = CircuitBreaker.of("outpost-cloud-connect", CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(cb.failureThreshold())
        .minimumNumberOfCalls(cb.failureThreshold())
        .failureRateThreshold(100)
        .waitDurationInOpenState(cb.openDuration())
        .permittedNumberOfCallsInHalfOpenState(1)
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .ignoreException(e -> unwrap(e) instanceof StoppedException)
        .clock(clock)
        .build());
    retry.getEventPublisher().onRetry(event -> onFailedAttempt.accept(event.getLastThrowable()));
  }

  /** Attempts until one succeeds or {@code attempt} fails with {@link StoppedException}. */
  <T> CompletableFuture<T> connect(Supplier<CompletionStage<T>> attempt) {
    Supplier<CompletionStage<T>> guarded = breaker.decorateCompletionStage(attempt);
    return retry.executeCompletionStage(scheduler, guarded).toCompletableFuture();
  }

  boolean circuitOpen() {
    return breaker.getState() == CircuitBreaker.State.OPEN;
  }

  static boolean isCircuitOpen(Throwable e) {
    return unwrap(e) instanceof CallNotPermittedException;
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
