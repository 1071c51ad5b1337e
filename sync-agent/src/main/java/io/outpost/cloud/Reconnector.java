package io.outpost.cloud;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;

/**
 * Keeps trying to connect: Resilience4j's async retry (exponential backoff with jitter, scheduled
 * on the link's scheduler — no thread sleeps) around a circuit breaker that stops attempts for a
 * while after repeated refusals.
 *
 * <p>The breaker counts only refusals by the cloud (a CONNACK that refuses the connection, a failed
 * TLS handshake): a gateway with a revoked certificate or a banned client id must not hammer the
 * service. An unreachable cloud (refused or timed-out TCP, DNS, a dropped connection) is not a
 * refusal: it is retried with the backoff alone. While nothing answers at the address at all,
 * attempts are quick probes ({@link ReconnectDelays}), so the backlog starts draining within about
 * {@code backoff.probeMillis} of the cloud's return.
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

  /** Told of each failed attempt that will be retried, and how long until the retry. */
  interface FailedAttempts {
    void failed(Throwable error, java.time.Duration retryIn);
  }

  Reconnector(
      CloudOptions options,
      ScheduledExecutorService scheduler,
      Clock clock,
      FailedAttempts onFailedAttempt) {
    this(
        options, scheduler, clock, () -> ThreadLocalRandom.current().nextDouble(), onFailedAttempt);
  }

  /** With the jitter's randomness given (tests). */
  Reconnector(
      CloudOptions options,
      ScheduledExecutorService scheduler,
      Clock clock,
      DoubleSupplier random,
      FailedAttempts onFailedAttempt) {
    this.scheduler = scheduler;
    BackoffOptions backoff = options.backoff();
    this.retry =
        Retry.of(
            "outpost-cloud-connect",
            RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalBiFunction(new ReconnectDelays(backoff, random))
                .retryOnException(e -> !(unwrap(e) instanceof StoppedException))
                .build());
    CircuitBreakerOptions cb = options.circuitBreaker();
    this.breaker =
        CircuitBreaker.of(
            "outpost-cloud-connect",
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(cb.failureThreshold())
                .minimumNumberOfCalls(cb.failureThreshold())
                .failureRateThreshold(100)
                .waitDurationInOpenState(cb.openDuration())
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .ignoreException(e -> unwrap(e) instanceof StoppedException)
                .recordException(Reconnector::isRefusal)
                .clock(clock)
                .build());
    retry
        .getEventPublisher()
        .onRetry(
            event -> onFailedAttempt.failed(event.getLastThrowable(), event.getWaitInterval()));
  }

  /** Attempts until one succeeds or {@code attempt} fails with {@link StoppedException}. */
  <T> CompletableFuture<T> connect(Supplier<CompletionStage<T>> attempt) {
    Supplier<CompletionStage<T>> guarded = breaker.decorateCompletionStage(attempt);
    return retry.executeCompletionStage(scheduler, guarded).toCompletableFuture();
  }

  boolean circuitOpen() {
    return breaker.getState() == CircuitBreaker.State.OPEN;
  }

  /**
   * Whether a failed attempt means the cloud refused this gateway: a CONNACK refusal (MQTT 3.1.1
   * return codes 1-5, MQTT 5 reason codes 0x80 and above) or a failed TLS handshake. Network
   * failures are not refusals.
   */
  static boolean isRefusal(Throwable e) {
    for (Throwable t = unwrap(e); t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException) {
        return true;
      }
      int code =
          t instanceof org.eclipse.paho.client.mqttv3.MqttException v3
              ? v3.getReasonCode()
              : t instanceof org.eclipse.paho.mqttv5.common.MqttException v5
                  ? v5.getReasonCode()
                  : -1;
      if ((code >= 1 && code <= 5) || (code >= 0x80 && code <= 0xFF)) {
        return true;
      }
    }
    return false;
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
