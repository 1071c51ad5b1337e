package io.outpost.function.runtime.invoke;

import io.outpost.function.runtime.Outcome;
import io.outpost.function.runtime.OverflowPolicy;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A version's bounded executor: {@code maxConcurrency} named worker threads and a queue of at most
 * {@code maxQueued} invocations with the configured overflow policy. A worker whose invocation
 * timed out is retired (interrupted, replaced at once and counted as abandoned until its handler
 * returns), so a handler that never returns costs one thread, not the function's capacity. Each
 * worker times out its invocations through its own {@link InvocationWatchdog}.
 *
 * <p>An invocation whose invoker can start it on the submitting thread without blocking ({@link
 * FunctionInstance#startNow}: a child process's request written at once) is started there when
 * nothing waits in the queue and a slot is free. No worker waits for it: the thread that reads its
 * result reports it, and one timer for all of them ({@link #expire}) times out the oldest. They
 * count against {@code maxConcurrency} with the workers' invocations, so a worker takes a queued
 * invocation only while a slot is free.
 */
final class WorkerPool {

  private final FunctionInstance instance;
  private final FunctionSpec spec;
  private final FunctionThreads threads;
  private final ScheduledExecutorService scheduler;

  /** Whether the invoker can ever start an invocation on the submitting thread. */
  private final boolean startsNow;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final ArrayDeque<Invocation> queue = new ArrayDeque<>();

  /**
   * Invocations started on submitting threads and not over, in the order they started: the order of
   * their deadlines, all of a version sharing its timeout.
   */
  private final Set<Invocation> startedNow = new LinkedHashSet<>();

  /** Armed for the deadline of the oldest started invocation, while any is in flight. */
  private ScheduledFuture<?> expiry;

  private final Set<Worker> workers = new HashSet<>();
  private final Set<Worker> abandoned = new HashSet<>();
  private final List<Thread> allThreads = new ArrayList<>();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private int idle;
  private int running;
  private boolean started;
  private boolean accepting = true;
  private boolean closed;

  /**
   * @param scheduler where the workers' timeout watchdogs run
   */
  WorkerPool(FunctionInstance instance, FunctionSpec spec, ScheduledExecutorService scheduler) {
    this.instance = instance;
    this.spec = spec;
    this.scheduler = scheduler;
    this.startsNow = instance.canStartNow();
    this.threads = new FunctionThreads("outpost-fn-" + spec.name() + "@" + spec.version(), true);
  }

  void start() {
    lock.lock();
    try {
      if (started || closed) {
        return;
      }
      started = true;
      for (int i = 0; i < spec.maxConcurrency(); i++) {
        startWorker();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues an invocation, applying the overflow policy (the loser gets outcome OVERFLOW).
   *
   * @return false, without touching {@code inv}, when this version no longer accepts work (it is
   *     being replaced)
   */
  boolean submit(Invocation inv) {
    if (startsNow && tryStartNow(inv)) {
      return true;
    }
    Invocation victim = null;
    String reason = null;
    lock.lock();
    try {
      if (!accepting) {
        return false;
      }
      if (queue.size() >= spec.maxQueued() + idle) {
        reason =
            "queue full (maxQueued="
                + spec.maxQueued()
                + ", overflow="
                + spec.overflow().yaml()
                + ")";
        if (spec.overflow() == OverflowPolicy.DROP_OLDEST && !queue.isEmpty()) {
          victim = queue.pollFirst();
          queue.addLast(inv);
        } else {
          victim = inv;
        }
      } else {
        queue.addLast(inv);
      }
      work.signal();
    } finally {
      lock.unlock();
    }
    if (victim != null) {
      instance.reject(victim, Outcome.OVERFLOW, reason);
    }
    return true;
  }

  /**
   * Starts {@code inv} on this thread when nothing is queued and a slot is free.
   *
   * @return false when it could not start now: it is queued the ordinary way
   */
  private boolean tryStartNow(Invocation inv) {
    lock.lock();
    try {
      if (!started // the version takes traffic (a new one may queue before)
          || !accepting
          || !queue.isEmpty()
          || running + startedNow.size() >= spec.maxConcurrency()
          || !instance.awake()) {
        return false;
      }
      startedNow.add(inv); // the slot, taken before the request can be answered
    } finally {
      lock.unlock();
    }
    boolean ok = false;
    try {
      ok = instance.startNow(inv);
    } finally {
      lock.lock();
      try {
        if (!ok) {
          startedNow.remove(inv);
          checkDrained();
        } else if (expiry == null && startedNow.contains(inv) && !closed) {
          armExpiry(inv.deadlineNanos());
        }
      } finally {
        lock.unlock();
      }
    }
    return ok;
  }

  /**
   * An invocation started on a submitting thread is over: its slot is free.
   *
   * @return false when it held none any more (reported twice, or the pool was closed)
   */
  boolean startedDone(Invocation inv) {
    lock.lock();
    try {
      if (!startedNow.remove(inv)) {
        return false;
      }
      if (!queue.isEmpty()) {
        work.signal(); // a worker may take a queued invocation in the slot
      }
      checkDrained();
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void armExpiry(long deadlineNanos) {
    try {
      expiry =
          scheduler.schedule(
              this::expire, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      expiry = null; // the runtime is stopping: its shutdown ends the invocations
    }
  }

  /**
   * Times out the started invocations past their deadline, oldest first, and arms for the next.
   * Those still being started (no deadline yet) or just answered are passed over.
   */
  private void expire() {
    List<Invocation> late = new ArrayList<>();
    lock.lock();
    try {
      expiry = null;
      if (closed) {
        return;
      }
      long now = System.nanoTime();
      for (Invocation inv : startedNow) {
        if (!inv.isRunning()) {
          continue;
        }
        if (inv.deadlineNanos() - now > 0) {
          armExpiry(inv.deadlineNanos());
          break;
        }
        late.add(inv);
      }
    } finally {
      lock.unlock();
    }
    for (Invocation inv : late) {
      instance.startedTimedOut(inv);
    }
  }

  CompletableFuture<Void> drain() {
    lock.lock();
    try {
      accepting = false;
      if (!started) {
        started = true; // a never-started version drains its queue too
        for (int i = 0; i < spec.maxConcurrency(); i++) {
          startWorker();
        }
      }
      checkDrained();
    } finally {
      lock.unlock();
    }
    return drained;
  }

  void close() {
    List<Invocation> left = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      accepting = false;
      closed = true;
      left.addAll(startedNow);
      startedNow.clear();
      if (expiry != null) {
        expiry.cancel(false);
      }
      left.addAll(queue);
      queue.clear();
      for (Worker w : workers) {
        if (w.current != null) {
          left.add(w.current);
          w.thread.interrupt();
        }
      }
      work.signalAll();
    } finally {
      lock.unlock();
    }
    for (Invocation inv : left) {
      instance.reject(inv, Outcome.STOPPED, "function version stopped");
    }
    drained.complete(null);
  }

  /** Waits (bounded) for worker threads to exit; stuck ones are logged, they are daemon threads. */
  void awaitThreads(long timeoutMillis) {
    List<Thread> toJoin;
    lock.lock();
    try {
      toJoin = new ArrayList<>(allThreads);
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (Thread t : toJoin) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (t.isAlive()) {
        instance.logger().error("handler thread {} did not stop; abandoning it", t.getName());
      }
    }
  }

  /**
   * Called by the watchdog after it timed out {@code inv}: retire the worker if it is still on it,
   * replace it.
   */
  void retire(Worker worker, Invocation inv) {
    lock.lock();
    try {
      if (worker.current != inv || worker.retired) {
        return;
      }
      worker.retired = true;
      workers.remove(worker);
      abandoned.add(worker);
      worker.thread.interrupt();
      if (!closed) {
        startWorker();
      }
    } finally {
      lock.unlock();
    }
  }

  private void startWorker() {
    Worker w = new Worker();
    w.thread = threads.newThread(w);
    workers.add(w);
    allThreads.removeIf(t -> !t.isAlive());
    allThreads.add(w.thread);
    w.thread.start();
  }

  /**
   * Waits for the next invocation; with {@code finishedOne}, first counts the worker's previous one
   * done, under the same lock acquisition (one hand-off per invocation, not two).
   *
   * @return null when the worker must end (pool closed, worker retired, interrupted)
   */
  private Invocation take(Worker w, boolean finishedOne) {
    lock.lock();
    try {
      if (finishedOne) {
        finished(w);
      }
      idle++;
      try {
        // a queued invocation only while a slot is free besides those started on submitting
        // threads (which no worker holds)
        while ((queue.isEmpty()
                || !startedNow.isEmpty() && running + startedNow.size() >= spec.maxConcurrency())
            && !closed
            && !w.retired) {
          work.await();
        }
      } finally {
        idle--;
      }
      if (closed || w.retired) {
        return null;
      }
      running++;
      w.current = queue.pollFirst();
      return w.current;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      lock.unlock();
    }
  }

  private void done(Worker w) {
    lock.lock();
    try {
      finished(w);
    } finally {
      lock.unlock();
    }
  }

  private void finished(Worker w) {
    running--;
    w.current = null;
    checkDrained();
  }

  private void exited(Worker w) {
    lock.lock();
    try {
      workers.remove(w);
      abandoned.remove(w);
    } finally {
      lock.unlock();
    }
  }

  private void checkDrained() {
    if (!accepting && queue.isEmpty() && startedNow.isEmpty() && running == 0) {
      drained.complete(null);
    }
  }

  int queueDepth() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  int running() {
    lock.lock();
    try {
      return running + startedNow.size();
    } finally {
      lock.unlock();
    }
  }

  /** Handler threads still running, e.g. after {@link #awaitThreads} gave up on them. */
  List<Thread> aliveThreads() {
    lock.lock();
    try {
      return allThreads.stream().filter(Thread::isAlive).toList();
    } finally {
      lock.unlock();
    }
  }

  int abandoned() {
    lock.lock();
    try {
      return abandoned.size();
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** One worker thread's loop. */
  final class Worker implements Runnable {
    Thread thread;
    volatile Invocation current;
    volatile boolean retired;
    final InvocationWatchdog watchdog =
        new InvocationWatchdog(scheduler, () -> current, inv -> instance.timedOut(inv, this));

    @Override
    public void run() {
      try {
        Invocation inv = take(this, false);
        while (inv != null) {
          boolean returned = false;
          try {
            instance.execute(inv, this);
            returned = true;
          } finally {
            if (!returned) {
              done(this);
            }
          }
          inv = take(this, true);
        }
      } finally {
        watchdog.stop();
        exited(this);
      }
    }
  }
}
