package io.outpost.function.runtime.invoke;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Times out one worker's invocations with at most one pending scheduler task, instead of one task
 * scheduled and cancelled per invocation (a heap insert and removal under the scheduler's lock,
 * which cost more than a trivial in-process handler).
 *
 * <p>The task is armed for the invocation that started while none was pending, at that invocation's
 * deadline. When it fires it times out that invocation if the worker is still on it; otherwise it
 * re-arms for whatever the worker runs now, at that one's deadline. All invocations of a version
 * share its timeout, so a later invocation's deadline is never earlier than the one the task waits
 * for: each invocation still times out at its own deadline, exactly as with a task of its own.
 */
final class InvocationWatchdog {

  private final ScheduledExecutorService scheduler;
  private final Supplier<Invocation> current;
  private final Consumer<Invocation> expiry;
  private final AtomicBoolean armed = new AtomicBoolean();
  private volatile ScheduledFuture<?> pending;
  private volatile boolean stopped;

  /**
   * @param scheduler where the task runs
   * @param current the invocation the worker is on, null between invocations
   * @param expiry times out an invocation that ran past its deadline
   */
  InvocationWatchdog(
      ScheduledExecutorService scheduler,
      Supplier<Invocation> current,
      Consumer<Invocation> expiry) {
    this.scheduler = scheduler;
    this.current = current;
    this.expiry = expiry;
  }

  /**
   * The worker started {@code inv} (its deadline is set): arms the task unless one is pending,
   * which then fires no later than {@code inv}'s deadline.
   */
  void started(Invocation inv) {
    // a plain read first: while a task is pending (nearly always) no atomic write is needed
    if (!armed.get() && armed.compareAndSet(false, true)) {
      arm(inv);
    }
  }

  /** The worker thread ends: nothing of it is left to time out. */
  void stop() {
    stopped = true;
    ScheduledFuture<?> p = pending;
    if (p != null) {
      p.cancel(false);
    }
  }

  private void arm(Invocation inv) {
    if (stopped) {
      return;
    }
    long delay = inv.deadlineNanos() - System.nanoTime();
    try {
      pending = scheduler.schedule(() -> fire(inv), Math.max(0, delay), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // the runtime is stopping: its shutdown ends the invocation, not a timeout
      pending = null;
    }
  }

  private void fire(Invocation target) {
    // Disarm before looking at the worker: a worker starting an invocation after this point arms
    // the task itself, one that started before is seen below (both sides use volatile accesses).
    armed.set(false);
    if (current.get() == target && target.isRunning()) {
      expiry.accept(target);
    }
    Invocation now = current.get();
    if (now != null && now != target && now.isRunning() && armed.compareAndSet(false, true)) {
      arm(now);
    }
  }
}
