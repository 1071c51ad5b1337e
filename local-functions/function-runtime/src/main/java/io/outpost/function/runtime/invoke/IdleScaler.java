package io.outpost.function.runtime.invoke;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Scale to zero for one on-demand version: when nothing has run or waited for {@code idleTimeout},
 * the invoker releases its process, class loader or module ({@link Invoker#suspend()}) and the
 * version shows as IDLE. The next invocation waits in the version's bounded queue like any other
 * while its worker starts the invoker again, so the first message after idling is never lost.
 * Checks run on the runtime's scheduler; time comes from its clock.
 */
final class IdleScaler {

  /** Checks at most this far apart, so a long idle time is still noticed promptly. */
  private static final long MAX_CHECK_MILLIS = 1_000;

  private static final long MIN_CHECK_MILLIS = 10;

  private final FunctionInstance instance;
  private final Invoker invoker;
  private final RuntimeServices services;
  private final long idleMillis;
  private final ReentrantLock lock = new ReentrantLock();
  private int active; // guarded by lock
  private long lastUsedMillis; // guarded by lock
  private volatile boolean idle;
  private ScheduledFuture<?> check;

  IdleScaler(FunctionInstance instance, Invoker invoker, RuntimeServices services) {
    this.instance = instance;
    this.invoker = invoker;
    this.services = services;
    Duration timeout = instance.spec().idleTimeout();
    this.idleMillis = timeout == null ? 0 : timeout.toMillis();
  }

  /** Starts watching (no-op when the version never scales to zero). */
  void start() {
    if (idleMillis <= 0) {
      return;
    }
    lock.lock();
    try {
      lastUsedMillis = services.clock().millis();
      long every = Math.max(MIN_CHECK_MILLIS, Math.min(MAX_CHECK_MILLIS, idleMillis / 4));
      check =
          services
              .scheduler()
              .scheduleWithFixedDelay(this::checkIdle, every, every, TimeUnit.MILLISECONDS);
    } finally {
      lock.unlock();
    }
  }

  void stop() {
    lock.lock();
    try {
      if (check != null) {
        check.cancel(false);
      }
    } finally {
      lock.unlock();
    }
  }

  boolean isIdle() {
    return idle;
  }

  /**
   * An invocation is about to run on a worker: wake up if idle (the invoker restarts lazily in
   * invoke).
   */
  void beginUse() {
    if (idleMillis <= 0) {
      return;
    }
    boolean woke;
    lock.lock();
    try {
      active++;
      woke = idle;
      idle = false;
    } finally {
      lock.unlock();
    }
    if (woke) {
      instance.logger().info("starting again after scaling to zero");
      instance.stateChanged();
    }
  }

  /**
   * {@link #beginUse} for a thread that must not wait (an event loop starting an invocation):
   * false, changing nothing, when the version is idle or a check holds the lock (it may be stopping
   * the child).
   */
  boolean tryBeginUse() {
    if (idleMillis <= 0) {
      return true;
    }
    if (!lock.tryLock()) {
      return false;
    }
    try {
      if (idle) {
        return false;
      }
      active++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  void endUse() {
    if (idleMillis <= 0) {
      return;
    }
    lock.lock();
    try {
      active--;
      lastUsedMillis = services.clock().millis();
    } finally {
      lock.unlock();
    }
  }

  private void checkIdle() {
    boolean suspended = false;
    try {
      lock.lock();
      try {
        if (!idle
            && active == 0
            && instance.queueDepth() == 0
            && services.clock().millis() - lastUsedMillis >= idleMillis) {
          invoker.suspend();
          idle = true;
          suspended = true;
        }
      } finally {
        lock.unlock();
      }
    } catch (RuntimeException e) {
      instance.logger().warn("scaling to zero failed; the function keeps running", e);
    }
    if (suspended) {
      instance
          .logger()
          .info("no invocation for {} ms: scaled to zero until the next one", idleMillis);
      instance.stateChanged();
    }
  }
}
