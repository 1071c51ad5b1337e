package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.core.functions.Either;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reconnect timing on a captured scheduler: delays are recorded and the retries run at once, no
 * real waits.
 */
@Timeout(30)
class ReconnectorTest {
  private final CapturingScheduler scheduler = new CapturingScheduler();

  @AfterEach
  void stop() throws InterruptedException {
    scheduler.shutdownNow();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * Records each delay asked for and runs the first {@link #runAtOnce} tasks without waiting, later
   * ones on time.
   */
  static final class CapturingScheduler extends ScheduledThreadPoolExecutor {
    final List<Long> delaysMillis = new CopyOnWriteArrayList<>();
    volatile int runAtOnce = Integer.MAX_VALUE;

    CapturingScheduler() {
      super(1, r -> new Thread(r, "test-reconnect-scheduler"));
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      delaysMillis.add(unit.toMillis(delay));
      return super.schedule(command, delaysMillis.size() <= runAtOnce ? 0 : delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(
        java.util.concurrent.Callable<V> callable, long delay, TimeUnit unit) {
      delaysMillis.add(unit.toMillis(delay));
      return super.schedule(callable, delaysMillis.size() <= runAtOnce ? 0 : delay, unit);
    }
  }

  private static MqttException unreachable() {
    // as Paho's TCP module reports a refused connection
    return new MqttException(
        MqttException.REASON_CODE_SERVER_CONNECT_ERROR, new ConnectException("Connection refused"));
  }

  private static CloudOptions options() {
    return CloudOptions.of("tcp://127.0.0.1:1", "edge-1")
        .withBackoff(new BackoffOptions(1000L, 8000L, 2.0, 0.5, 400L))
        .withCircuitBreaker(new CircuitBreakerOptions(3, 60));
  }

  /** Fails the first {@code failures} attempts with {@code failure}, then succeeds. */
  private static java.util.function.Supplier<CompletionStage<String>> failing(
      int failures, Throwable failure, AtomicInteger attempts) {
    return () ->
        attempts.incrementAndGet() <= failures
            ? CompletableFuture.failedFuture(failure)
            : CompletableFuture.completedFuture("connected");
  }

  @Test
  void probesEveryProbeIntervalWithJitterWhileNothingAnswers() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    List<Throwable> failed = new CopyOnWriteArrayList<>();
    Reconnector reconnector =
        new Reconnector(
            options(), scheduler, Clock.systemUTC(), () -> 1.0, (e, retryIn) -> failed.add(e));

    assertThat(reconnector.connect(failing(5, unreachable(), attempts)).get(10, TimeUnit.SECONDS))
        .isEqualTo("connected");
    assertThat(attempts).hasValue(6);
    assertThat(failed).hasSize(5);
    // jitter 0.5 drawn at its top: 400 * 1.5, and no growth however long the outage
    assertThat(scheduler.delaysMillis).hasSize(5).containsOnly(600L);
    assertThat(reconnector.circuitOpen()).as("an unreachable cloud is not a refusal").isFalse();
  }

  @Test
  void backsOffExponentiallyOnOtherFailures() {
    ReconnectDelays delays = new ReconnectDelays(options().backoff(), () -> 0.0);
    for (int attempt = 1; attempt <= 6; attempt++) {
      long base = Math.min(8000, 1000L << (attempt - 1));
      assertThat(
              delays.apply(attempt, Either.left(new SocketTimeoutException("connect timed out"))))
          .isBetween(base / 2, base * 3 / 2);
    }
    assertThat(delays.apply(7, Either.left(unreachable())))
        .as("jitter drawn at its bottom")
        .isEqualTo(200L);
  }

  @Test
  void refusalsByTheCloudOpenTheCircuit() {
    AtomicInteger attempts = new AtomicInteger();
    MqttException notAuthorized = new MqttException(MqttException.REASON_CODE_NOT_AUTHORIZED);
    scheduler.runAtOnce =
        3; // then the breaker refuses the next attempt, and the one after waits its real delay
    Reconnector reconnector =
        new Reconnector(options(), scheduler, Clock.systemUTC(), () -> 0.5, (e, retryIn) -> {});

    CompletableFuture<String> connected =
        reconnector.connect(failing(Integer.MAX_VALUE, notAuthorized, attempts));
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(reconnector::circuitOpen);
    assertThat(attempts.get()).isGreaterThanOrEqualTo(3);
    assertThat(connected).isNotDone();
  }

  @Test
  void unreachableMeansNothingAnsweredAtTheAddress() {
    assertThat(ReconnectDelays.isUnreachable(unreachable())).isTrue();
    assertThat(ReconnectDelays.isUnreachable(new java.net.UnknownHostException("cloud.example")))
        .isTrue();
    assertThat(ReconnectDelays.isUnreachable(new SocketTimeoutException("timed out"))).isFalse();
    assertThat(
            ReconnectDelays.isUnreachable(
                new MqttException(MqttException.REASON_CODE_NOT_AUTHORIZED)))
        .isFalse();
  }
}
