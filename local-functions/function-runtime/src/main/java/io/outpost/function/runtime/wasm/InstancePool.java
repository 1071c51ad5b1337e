package io.outpost.function.runtime.wasm;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The warm instances of one deployed version that no invocation is using, at most {@code maxIdle}
 * (the version's {@code maxConcurrency}: a worker never needs more than one). The most recently
 * used instance is handed out first, its memory and compiled code likeliest to be in cache.
 */
final class InstancePool {

  private final ConcurrentLinkedDeque<WarmInstance> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int maxIdle;
  private volatile boolean closed;

  InstancePool(int maxIdle) {
    this.maxIdle = maxIdle;
  }

  /** An idle instance, or null when none waits. */
  WarmInstance take() {
    WarmInstance w = idle.pollFirst();
    if (w != null) {
      size.decrementAndGet();
    }
    return w;
  }

  /**
   * Keeps {@code w} for a later invocation unless the pool is full or closed (then it is dropped
   * for the garbage collector).
   */
  void give(WarmInstance w) {
    if (closed) {
      return;
    }
    if (size.incrementAndGet() > maxIdle) {
      size.decrementAndGet();
      return;
    }
    w.park();
    idle.addFirst(w);
    if (closed) {
      clear();
    }
  }

  /** Idle instances now waiting. */
  int size() {
    return size.get();
  }

  /** Drops every idle instance (scale to zero); later ones are kept again. */
  void clear() {
    while (take() != null) {
      // dropped: nothing else holds it
    }
  }

  /** Drops every idle instance and keeps none from now on. */
  void close() {
    closed = true;
    clear();
  }
}
