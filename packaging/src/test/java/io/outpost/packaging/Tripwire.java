package io.outpost.packaging;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts events; {@link #arm} sets an action to run once so many more have happened. The action
 * runs on the thread that records the event (a Paho or Moquette callback), so a kill lands at that
 * moment, not when the test thread gets the CPU again.
 */
final class Tripwire {
  private final AtomicLong count = new AtomicLong();
  private volatile Armed armed;

  void record() {
    long n = count.incrementAndGet();
    Armed current = armed;
    if (current != null && n >= current.at) {
      current.fire();
    }
  }

  /**
   * Runs {@code action} after {@code more} events (at once for 0); the latch opens after it ran.
   */
  CountDownLatch arm(long more, Runnable action) {
    Armed next = new Armed(count.get() + more, action);
    armed = next;
    if (count.get() >= next.at) {
      next.fire();
    }
    return next.done;
  }

  private static final class Armed {
    final long at;
    final Runnable action;
    final CountDownLatch done = new CountDownLatch(1);
    private final AtomicBoolean fired = new AtomicBoolean();

    Armed(long at, Runnable action) {
      this.at = at;
      this.action = action;
    }

    void fire() {
      if (fired.compareAndSet(false, true)) {
        try {
          action.run();
        } finally {
          done.countDown();
        }
      }
    }
  }
}
