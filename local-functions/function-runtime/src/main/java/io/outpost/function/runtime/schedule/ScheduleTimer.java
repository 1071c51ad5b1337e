package io.outpost.function.runtime.schedule;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay: the daemon's is a dedicated scheduler thread; tests pass one they
 * advance by hand, so schedules of minutes are checked without sleeping.
 */
@FunctionalInterface
public interface ScheduleTimer {

  /**
   * Runs {@code task} once after {@code delay} (zero or negative: as soon as possible).
   *
   * @return cancels the task
   */
  Future<?> after(Duration delay, Runnable task);

  /** A timer on {@code executor}; the task runs on its thread. */
  static ScheduleTimer of(ScheduledExecutorService executor) {
    return (delay, task) ->
        executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
  }
}
