package io.outpost.function.runtime.schedule;

import io.outpost.testkit.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * A {@link ScheduleTimer} and its {@link MovableClock}, both advanced by hand: {@link #advance}
 * moves the time forward and runs, on the calling thread and in time order, every task that falls
 * due.
 */
public final class ManualTimer implements ScheduleTimer {

  private record Task(Instant due, long seq, FutureTask<?> run) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due.equals(b.due) ? Long.compare(a.seq, b.seq) : a.due.compareTo(b.due));
  private long seq;

  /** The clock this timer moves. */
  public final MovableClock clock;

  public ManualTimer(Instant start) {
    this.clock = MovableClock.at(start);
  }

  @Override
  public synchronized Future<?> after(Duration delay, Runnable task) {
    FutureTask<Void> run = new FutureTask<>(task, null);
    tasks.add(new Task(now().plus(delay.isNegative() ? Duration.ZERO : delay), seq++, run));
    return run;
  }

  /** Moves the clock forward by {@code by}, running what falls due on the way. */
  public void advance(Duration by) {
    Instant target = now().plus(by);
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due.isAfter(target)) {
          break;
        }
        tasks.poll();
        if (next.due.isAfter(now())) {
          clock.moveTo(next.due);
        }
      }
      next.run.run();
    }
    clock.moveTo(target);
  }

  /** Sets the clock without running anything (a daemon that was down). */
  public void jumpTo(Instant to) {
    clock.moveTo(to);
  }

  /** Tasks not yet run or cancelled. */
  public synchronized long pending() {
    return tasks.stream().filter(t -> !t.run.isDone()).count();
  }

  public Instant now() {
    return clock.instant();
  }
}
