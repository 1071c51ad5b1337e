package io.outpost.function.runtime.invoke;

import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.InvocationResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One requested invocation, from enqueue to outcome. Exactly one of the parties racing to finish it
 * (the worker, the timeout watchdog, overflow eviction, shutdown) wins; the others see {@link
 * #isDone()}.
 */
public final class Invocation {

  private static final int QUEUED = 0;
  private static final int RUNNING = 1;
  private static final int DONE = 2;

  /** A short random id naming this invocation in the function's log and in its result. */
  public final String id = newId();

  public final InboundMessage message;
  public final CompletableFuture<InvocationResult> result = new CompletableFuture<>();
  private final AtomicInteger state = new AtomicInteger(QUEUED);
  private volatile long startNanos;
  private volatile long deadlineNanos;

  public Invocation(InboundMessage message) {
    this.message = message;
  }

  private static String newId() {
    long bits = java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL;
    return String.format(java.util.Locale.ROOT, "%012x", bits);
  }

  /** Moves QUEUED to RUNNING; false if it was already finished (e.g. evicted). */
  boolean start(long nowNanos, long timeoutNanos) {
    startNanos = nowNanos;
    deadlineNanos = nowNanos + timeoutNanos;
    return state.compareAndSet(QUEUED, RUNNING);
  }

  /** Claims the right to report the outcome; true only for the first caller. */
  boolean finish() {
    return state.getAndSet(DONE) != DONE;
  }

  boolean isDone() {
    return state.get() == DONE;
  }

  long startNanos() {
    return startNanos;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }
}
