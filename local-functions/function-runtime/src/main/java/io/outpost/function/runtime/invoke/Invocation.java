package io.outpost.function.runtime.invoke;

import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.InvocationResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
  private static final int ID_DIGITS = 12;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  /** A short random id naming this invocation in the function's log and in its result. */
  public final String id = newId();

  public final InboundMessage message;
  public final CompletableFuture<InvocationResult> result = new CompletableFuture<>();

  // An AtomicInteger, not a field updater: the updater's per-call type check costs more than the
  // allocation when the JIT stops at C1 (the shipped options).
  private final AtomicInteger state = new AtomicInteger(QUEUED);

  private volatile long startNanos;
  private volatile long deadlineNanos;

  public Invocation(InboundMessage message) {
    this.message = message;
  }

  /**
   * Twelve lowercase hex digits of a random 48-bit number, written by hand: {@code String.format}
   * took about a tenth of a trivial in-process invocation.
   */
  static String newId() {
    long bits = ThreadLocalRandom.current().nextLong();
    byte[] digits = new byte[ID_DIGITS];
    for (int i = ID_DIGITS - 1; i >= 0; i--) {
      digits[i] = HEX[(int) (bits & 0xf)];
      bits >>>= 4;
    }
    return new String(digits, StandardCharsets.ISO_8859_1);
  }

  /** Moves QUEUED to RUNNING; false if it was already finished (e.g. evicted). */
  boolean start(long nowNanos, long timeoutNanos) {
    arm(nowNanos, timeoutNanos);
    return state.compareAndSet(QUEUED, RUNNING);
  }

  /**
   * Sets the start and deadline without leaving QUEUED: an invocation being started on the
   * submitting thread moves to RUNNING ({@link #running()}) only once its request left, so the
   * timeout watchdog never takes it for one past its deadline before it has one.
   */
  void arm(long nowNanos, long timeoutNanos) {
    startNanos = nowNanos;
    deadlineNanos = nowNanos + timeoutNanos;
  }

  /** QUEUED to RUNNING, unless it finished already (its result may come back that fast). */
  void running() {
    state.compareAndSet(QUEUED, RUNNING);
  }

  /** Claims the right to report the outcome; true only for the first caller. */
  boolean finish() {
    return state.getAndSet(DONE) != DONE;
  }

  boolean isDone() {
    return state.get() == DONE;
  }

  /** Started on a worker and not finished yet: what the timeout watchdog may end. */
  boolean isRunning() {
    return state.get() == RUNNING;
  }

  long startNanos() {
    return startNanos;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }
}
