package io.outpost.gateway;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stop actions of everything started so far, run in reverse start order. Used both for a normal
 * stop and to undo a start that failed halfway, so the two can never disagree about order.
 */
final class Lifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private record Step(String name, Supplier<CompletionStage<?>> stop) {}

  private final Deque<Step> started = new ArrayDeque<>();

  /** Records that {@code name} started; {@code stop} undoes it. */
  synchronized void started(String name, Supplier<CompletionStage<?>> stop) {
    started.push(new Step(name, stop));
  }

  /**
   * Records that {@code name} started; {@code stop} undoes it synchronously (e.g. closing a file).
   */
  void startedSync(String name, Runnable stop) {
    started(
        name,
        () -> {
          stop.run();
          return CompletableFuture.completedFuture(null);
        });
  }

  /**
   * Stops everything in reverse start order within {@code budget}. A component that does not stop
   * in its share of time is logged and skipped so the rest still stop. Returns whether everything
   * stopped cleanly.
   */
  synchronized boolean stopAll(Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    boolean clean = true;
    while (!started.isEmpty()) {
      Step step = started.pop();
      long left = Math.max(0, deadline - System.nanoTime());
      try {
        step.stop().get().toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
        LOG.debug("stopped {}", step.name());
      } catch (TimeoutException e) {
        clean = false;
        LOG.error("{} did not stop within the shutdown budget of {}", step.name(), budget);
      } catch (ExecutionException | RuntimeException e) {
        clean = false;
        LOG.error(
            "{} failed to stop cleanly",
            step.name(),
            e instanceof ExecutionException ? e.getCause() : e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        clean = false;
        LOG.error(
            "interrupted while stopping {}; the rest are stopped without waiting", step.name());
      }
    }
    return clean;
  }
}
