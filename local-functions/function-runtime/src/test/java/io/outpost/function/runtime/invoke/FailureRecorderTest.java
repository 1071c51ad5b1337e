package io.outpost.function.runtime.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FailureRecorder} over the breaker {@link BrokenDetector} builds: skipping the repeated
 * fast successes of a healthy function changes no BROKEN decision.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailureRecorderTest {

  private static final int THRESHOLD = 3;
  private static final long FAST = TimeUnit.MICROSECONDS.toNanos(5);
  private static final long SLOW = TimeUnit.MINUTES.toNanos(2);

  private final CircuitBreaker breaker = breaker();
  private final FailureRecorder recorder = new FailureRecorder(breaker);

  @Test
  void onlyTheFirstOfARunOfFastSuccessesReachesTheBreaker() {
    for (int i = 0; i < 1_000; i++) {
      recorder.success(FAST);
    }

    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(1);
    recorder.error(FAST, new IllegalStateException("boom"));
    for (int i = 0; i < 10; i++) {
      recorder.success(FAST);
    }
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(2);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
  }

  @Test
  void thresholdConsecutiveFailuresAfterManySuccessesStillOpenTheBreaker() {
    for (int i = 0; i < 1_000; i++) {
      recorder.success(FAST);
    }
    for (int i = 0; i < THRESHOLD - 1; i++) {
      recorder.error(FAST, new IllegalStateException("boom"));
    }
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);

    recorder.error(FAST, new IllegalStateException("boom"));

    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aSuccessBetweenFailuresBreaksTheStreakAsBefore() {
    recorder.success(FAST);
    recorder.success(FAST);
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < THRESHOLD - 1; i++) {
        recorder.error(FAST, new IllegalStateException("boom"));
      }
      recorder.success(FAST);
      recorder.success(FAST);
    }

    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void slowSuccessesAlwaysReachTheBreakerAndThresholdManyOpenIt() {
    recorder.success(FAST);
    for (int i = 0; i < THRESHOLD; i++) {
      recorder.success(SLOW);
    }

    assertThat(breaker.getMetrics().getNumberOfSlowSuccessfulCalls()).isEqualTo(THRESHOLD);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aFastSuccessAfterASlowOneReachesTheBreaker() {
    recorder.success(FAST);
    recorder.success(SLOW);
    recorder.success(FAST);

    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls()).isEqualTo(3);
  }

  @Test
  void theTrialSuccessOfAHalfOpenBreakerClosesIt() {
    recorder.success(FAST);
    breaker.transitionToOpenState();
    breaker.transitionToHalfOpenState();
    assertThat(breaker.tryAcquirePermission()).isTrue();

    recorder.success(FAST);

    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  private static CircuitBreaker breaker() {
    String yaml =
        "name: fr\nversion: 1\nruntime: java\nhandler: io.outpost.example.Unused\n"
            + "isolation: in-process\n";
    FunctionRuntimeOptions options =
        FunctionRuntimeOptions.defaults().withBroken(THRESHOLD, Duration.ofSeconds(10));
    FunctionSpec spec =
        FunctionDescriptor.parse(
                new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test")
            .resolve(options);
    return BrokenDetector.create(spec, options, Clock.systemUTC(), () -> {});
  }
}
