package io.outpost.function.runtime.invoke;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Feeds invocation outcomes to a version's BROKEN detector ({@link BrokenDetector}) without paying
 * the circuit breaker's bookkeeping for every success of a healthy function (an event object, a
 * synchronized sliding-window update).
 *
 * <p>The breaker opens on {@code brokenThreshold} consecutive failures (or as many consecutive slow
 * calls). A fast success recorded right after another fast success while the breaker is closed
 * changes neither count, so it is skipped: the breaker sees each run of fast successes as one,
 * which leaves every open, half-open and close decision as it was. Failures, slow calls and every
 * outcome outside the closed state always reach the breaker.
 */
final class FailureRecorder {

  private static final long NONE = -1;

  private final CircuitBreaker breaker;
  private final long slowCallNanos;

  /** Failures and slow calls recorded so far; counted after the breaker recorded each. */
  private final AtomicLong unclean = new AtomicLong();

  /**
   * {@link #unclean} as read before the last fast success was recorded: while both are equal, that
   * success is the last outcome the breaker saw ({@link #NONE}: no fast success yet).
   */
  private volatile long cleanSince = NONE;

  FailureRecorder(CircuitBreaker breaker) {
    this.breaker = breaker;
    this.slowCallNanos = breaker.getCircuitBreakerConfig().getSlowCallDurationThreshold().toNanos();
  }

  /** A successful invocation that ran {@code nanos}. */
  void success(long nanos) {
    boolean fast = nanos < slowCallNanos;
    if (fast && cleanSince == unclean.get() && breaker.getState() == CircuitBreaker.State.CLOSED) {
      // A failure still being recorded on another worker is concurrent with this success, which
      // may then count as having happened just before it.
      return;
    }
    long before = unclean.get();
    breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    if (fast) {
      cleanSince = before;
    } else {
      unclean.incrementAndGet();
    }
  }

  /** A failed invocation (error, timeout, crashed child) that ran {@code nanos}. */
  void error(long nanos, Throwable cause) {
    breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
    unclean.incrementAndGet();
  }
}
