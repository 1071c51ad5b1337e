package io.outpost.function.runtime.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.function.runtime.InboundMessage;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link InvocationWatchdog}: one pending task per worker, and still every invocation that runs
 * past its deadline is timed out. Tasks are recorded by the scheduler and fired by hand.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InvocationWatchdogTest {

  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(3);

  private final RecordingScheduler scheduler = new RecordingScheduler();
  private final AtomicReference<Invocation> current = new AtomicReference<>();
  private final List<Invocation> expired = new CopyOnWriteArrayList<>();
  private final InvocationWatchdog watchdog =
      new InvocationWatchdog(scheduler, current::get, expired::add);

  @AfterEach
  void stopScheduler() throws InterruptedException {
    scheduler.shutdownNow();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void timesOutTheInvocationItWasArmedForWhenTheWorkerIsStillOnIt() throws Exception {
    Invocation stuck = start();

    scheduler.next().task().run();

    assertThat(expired).containsExactly(stuck);
  }

  @Test
  void consecutiveInvocationsShareOnePendingTask() {
    for (int i = 0; i < 100; i++) {
      Invocation inv = start();
      inv.finish();
      current.set(null);
    }

    assertThat(scheduler.tasks).hasSize(1);
    assertThat(scheduler.tasks.peek().delayNanos()).isBetween(1L, TIMEOUT_NANOS);
  }

  @Test
  void firingForAFinishedInvocationReArmsForTheOneRunningNowAtItsDeadline() throws Exception {
    Invocation first = start();
    first.finish();
    Invocation second = start();
    Armed armedForFirst = scheduler.next();

    armedForFirst.task().run();

    assertThat(expired).isEmpty();
    Armed armedForSecond = scheduler.next();
    long leftOfSecond = second.deadlineNanos() - System.nanoTime();
    assertThat(armedForSecond.delayNanos()).isBetween(leftOfSecond, TIMEOUT_NANOS);
    armedForSecond.task().run();
    assertThat(expired).containsExactly(second);
  }

  @Test
  void firingWhileNothingRunsDisarmsAndTheNextInvocationArmsAgain() throws Exception {
    Invocation first = start();
    first.finish();
    current.set(null);

    scheduler.next().task().run();

    assertThat(scheduler.tasks).isEmpty();
    assertThat(expired).isEmpty();
    Invocation second = start();
    scheduler.next().task().run();
    assertThat(expired).containsExactly(second);
  }

  @Test
  void anInvocationThatFinishedJustBeforeTheTaskFiredIsNotTimedOut() throws Exception {
    Invocation done = start();
    done.finish(); // the worker still points at it until it takes the next one

    scheduler.next().task().run();

    assertThat(expired).isEmpty();
    assertThat(scheduler.tasks).isEmpty();
  }

  @Test
  void stopCancelsThePendingTask() throws Exception {
    start();
    scheduler.next();

    watchdog.stop();

    assertThat(scheduler.placeholders).hasSize(1);
    assertThat(scheduler.placeholders.get(0).isCancelled()).isTrue();
  }

  /** What a worker does: take an invocation, start it, tell the watchdog. */
  private Invocation start() {
    Invocation inv =
        new Invocation(InboundMessage.of("in/x", "{}", Instant.parse("2026-12-05T08:00:00Z")));
    current.set(inv);
    assertThat(inv.start(System.nanoTime(), TIMEOUT_NANOS)).isTrue();
    watchdog.started(inv);
    return inv;
  }

  private record Armed(Runnable task, long delayNanos) {}

  /** Records one-shot tasks with their delay instead of running them on a timer. */
  private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {

    final BlockingQueue<Armed> tasks = new LinkedBlockingQueue<>();
    final List<ScheduledFuture<?>> placeholders = new CopyOnWriteArrayList<>();

    RecordingScheduler() {
      super(1, r -> new Thread(r, "watchdog-test-scheduler"));
      setRemoveOnCancelPolicy(true);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      tasks.add(new Armed(command, unit.toNanos(delay)));
      ScheduledFuture<?> placeholder = super.schedule(() -> {}, 1, TimeUnit.DAYS);
      placeholders.add(placeholder);
      return placeholder;
    }

    Armed next() throws InterruptedException {
      Armed next = tasks.poll(10, TimeUnit.SECONDS);
      assertThat(next).as("an armed watchdog task").isNotNull();
      return next;
    }
  }
}
