package io.outpost.function.runtime.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.InvocationResult;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.Outcome;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WorkerPool} through the {@link FunctionInstance} that owns it, with a scripted invoker and
 * real worker threads. Handlers block on latches, so every "is it running / is it queued" question
 * is answered by state, never by sleeping. Invocation timeouts are fired by hand: the scheduler the
 * runtime services hand out records the watchdog tasks instead of running them on a timer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerPoolTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger VERSIONS = new AtomicInteger();

  @TempDir Path tmp;

  private final ManualScheduler scheduler = new ManualScheduler();

  /** Released in @AfterEach so no handler outlives its test. */
  private final CountDownLatch release = new CountDownLatch(1);

  private final CountDownLatch releaseStuck = new CountDownLatch(1);
  private final CountDownLatch stuckInterrupted = new CountDownLatch(1);
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final Map<String, Thread> threadOf = new ConcurrentHashMap<>();
  private final AtomicInteger runningNow = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger timedOut = new AtomicInteger();

  /** Invocations started on the submitting thread, by payload, until {@link #answer}ed. */
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  private record Answer(InvocationContext context) {}

  private final String version = "v" + VERSIONS.incrementAndGet();
  private FunctionInstance instance;

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    releaseStuck.countDown();
    if (instance != null) {
      instance.close();
      await().atMost(WAIT).until(() -> workerThreads().isEmpty());
    }
    scheduler.shutdownNow();
    assertThat(scheduler.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void runsAtMostMaxConcurrencyInvocationsAtOnceAndQueuesTheRest() throws Exception {
    instance = newInstance(2, 10, "reject-new");
    instance.startWorkers();

    List<Invocation> all = IntStream.range(0, 5).mapToObj(i -> submit("m" + i)).toList();

    await().atMost(WAIT).until(() -> started.size() == 2);
    assertThat(instance.inFlight()).isEqualTo(2);
    assertThat(instance.queueDepth()).isEqualTo(3);
    release.countDown();
    for (Invocation inv : all) {
      assertThat(result(inv).outcome()).isEqualTo(Outcome.OK);
    }
    assertThat(started).hasSize(5);
    assertThat(peak.get()).isEqualTo(2);
    assertThat(instance.queueDepth()).isZero();
    // the outcome is reported just before the worker counts itself done
    await().atMost(WAIT).until(() -> instance.inFlight() == 0);
  }

  @Test
  void runsQueuedInvocationsInSubmissionOrder() throws Exception {
    instance = newInstance(1, 20, "reject-new");
    instance.startWorkers();
    Invocation first = submit("first");
    await().atMost(WAIT).until(() -> started.contains("first"));

    List<String> payloads = IntStream.range(0, 10).mapToObj(i -> "m" + i).toList();
    List<Invocation> queued = payloads.stream().map(this::submit).toList();
    assertThat(instance.queueDepth()).isEqualTo(10);
    release.countDown();

    assertThat(result(first).outcome()).isEqualTo(Outcome.OK);
    for (Invocation inv : queued) {
      assertThat(result(inv).outcome()).isEqualTo(Outcome.OK);
    }
    assertThat(started.subList(1, started.size())).containsExactlyElementsOf(payloads);
  }

  @Test
  void rejectNewFailsTheNewcomerWithOverflowWhenWorkersAndQueueAreFull() throws Exception {
    instance = newInstance(1, 2, "reject-new");
    instance.startWorkers();
    Invocation a = submit("a");
    await().atMost(WAIT).until(() -> started.contains("a"));
    Invocation b = submit("b");
    Invocation c = submit("c");

    Invocation d = submit("d");

    assertThat(d.result).isCompleted();
    assertThat(result(d).outcome()).isEqualTo(Outcome.OVERFLOW);
    assertThat(result(d).error()).isEqualTo("queue full (maxQueued=2, overflow=reject-new)");
    assertThat(instance.queueDepth()).isEqualTo(2);
    release.countDown();
    for (Invocation inv : List.of(a, b, c)) {
      assertThat(result(inv).outcome()).isEqualTo(Outcome.OK);
    }
    assertThat(started).containsExactly("a", "b", "c");
  }

  @Test
  void dropOldestEvictsTheOldestQueuedInvocationToAdmitTheNewcomer() throws Exception {
    instance = newInstance(1, 2, "drop-oldest");
    instance.startWorkers();
    Invocation a = submit("a");
    await().atMost(WAIT).until(() -> started.contains("a"));
    Invocation b = submit("b");
    Invocation c = submit("c");

    Invocation d = submit("d");

    assertThat(b.result).isCompleted();
    assertThat(result(b).outcome()).isEqualTo(Outcome.OVERFLOW);
    assertThat(result(b).error()).isEqualTo("queue full (maxQueued=2, overflow=drop-oldest)");
    assertThat(d.result).isNotDone();
    assertThat(instance.queueDepth()).isEqualTo(2);
    release.countDown();
    for (Invocation inv : List.of(a, c, d)) {
      assertThat(result(inv).outcome()).isEqualTo(Outcome.OK);
    }
    assertThat(started).containsExactly("a", "c", "d");
  }

  @Test
  void dropOldestWithNothingQueuedRejectsTheNewcomer() throws Exception {
    instance = newInstance(1, 0, "drop-oldest");
    instance.startWorkers();
    awaitIdleWorkers(1); // with no queue, only a waiting worker can take an invocation
    Invocation a = submit("a");
    await().atMost(WAIT).until(() -> started.contains("a"));

    Invocation b = submit("b");

    assertThat(result(b).outcome()).isEqualTo(Outcome.OVERFLOW);
    release.countDown();
    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    assertThat(started).containsExactly("a");
  }

  @Test
  void idleWorkersAcceptWorkEvenWhenNoQueueIsAllowed() throws Exception {
    instance = newInstance(2, 0, "reject-new");
    instance.startWorkers();
    awaitIdleWorkers(2);

    Invocation a = submit("a");
    Invocation b = submit("b");
    await().atMost(WAIT).until(() -> started.size() == 2);
    Invocation c = submit("c");

    assertThat(result(c).outcome()).isEqualTo(Outcome.OVERFLOW);
    assertThat(result(c).error()).isEqualTo("queue full (maxQueued=0, overflow=reject-new)");
    release.countDown();
    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    assertThat(result(b).outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void invocationsQueuedBeforeStartAreBoundedAndRunOnceWorkersStart() throws Exception {
    instance = newInstance(1, 2, "reject-new");
    Invocation a = submit("a");
    Invocation b = submit("b");
    Invocation c = submit("c");

    assertThat(result(c).outcome()).isEqualTo(Outcome.OVERFLOW);
    assertThat(workerThreads()).isEmpty();
    assertThat(instance.queueDepth()).isEqualTo(2);
    assertThat(a.result).isNotDone();

    release.countDown();
    instance.startWorkers();
    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    assertThat(result(b).outcome()).isEqualTo(Outcome.OK);
    assertThat(started).containsExactly("a", "b");
  }

  @Test
  void timedOutHandlerThatIgnoresInterruptsIsAbandonedAndReplacedSoTheQueueKeepsMoving()
      throws Exception {
    instance = newInstance(1, 5, "reject-new");
    instance.startWorkers();
    Invocation stuck = submit("stuck");
    await().atMost(WAIT).until(() -> started.contains("stuck"));
    Runnable watchdog = scheduler.nextTimer();
    release.countDown(); // the queued invocation may run as soon as a worker is free
    Invocation next = submit("next");
    assertThat(instance.queueDepth()).isEqualTo(1);

    watchdog.run();

    assertThat(result(stuck).outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(stuckInterrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(result(next).outcome()).isEqualTo(Outcome.OK);
    Thread stuckThread = threadOf.get("stuck");
    assertThat(threadOf.get("next")).isNotSameAs(stuckThread);
    assertThat(stuckThread.isAlive()).isTrue();
    assertThat(instance.abandonedThreads()).isEqualTo(1);

    releaseStuck.countDown();
    stuckThread.join(WAIT.toMillis());
    assertThat(stuckThread.isAlive()).isFalse();
    assertThat(instance.abandonedThreads()).isZero();
    awaitIdleWorkers(1);
    assertThat(workerThreads()).hasSize(1).doesNotContain(stuckThread);
  }

  @Test
  void timedOutHandlerThatHonoursTheInterruptEndsItsThreadAndKeepsFullCapacity() throws Exception {
    instance = newInstance(2, 5, "reject-new");
    instance.startWorkers();
    Invocation slow = submit("slow");
    await().atMost(WAIT).until(() -> started.contains("slow"));
    Thread slowThread = threadOf.get("slow");

    scheduler.nextTimer().run();

    assertThat(result(slow).outcome()).isEqualTo(Outcome.TIMEOUT);
    slowThread.join(WAIT.toMillis());
    assertThat(slowThread.isAlive()).isFalse();
    await().atMost(WAIT).until(() -> instance.abandonedThreads() == 0);
    awaitIdleWorkers(2);
    assertThat(workerThreads()).hasSize(2).doesNotContain(slowThread);
    submit("x");
    submit("y");
    await().atMost(WAIT).until(() -> started.containsAll(List.of("x", "y")));
    assertThat(instance.inFlight()).isEqualTo(2);
  }

  @Test
  void watchdogFiringAfterTheInvocationFinishedRetiresNothing() throws Exception {
    instance = newInstance(1, 5, "reject-new");
    instance.startWorkers();
    release.countDown();
    Invocation a = submit("a");
    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    Runnable lateWatchdog = scheduler.nextTimer();
    Thread worker = threadOf.get("a");

    lateWatchdog.run();

    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    assertThat(instance.abandonedThreads()).isZero();
    awaitIdleWorkers(1);
    assertThat(workerThreads()).containsExactly(worker);
    Invocation b = submit("b");
    assertThat(result(b).outcome()).isEqualTo(Outcome.OK);
    assertThat(threadOf.get("b")).isSameAs(worker);
  }

  @Test
  void drainStopsAcceptingAndCompletesOnlyAfterRunningAndQueuedWorkFinishes() throws Exception {
    instance = newInstance(1, 5, "reject-new");
    instance.startWorkers();
    Invocation a = submit("a");
    await().atMost(WAIT).until(() -> started.contains("a"));
    Invocation b = submit("b");

    CompletableFuture<Void> drained = instance.drain();
    Invocation late = new Invocation(message("late"));
    boolean accepted = instance.submit(late);

    assertThat(accepted).isFalse();
    assertThat(late.result).isNotDone();
    assertThat(drained).isNotDone();
    release.countDown();
    drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(a.result).isCompleted();
    assertThat(b.result).isCompleted();
    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    assertThat(result(b).outcome()).isEqualTo(Outcome.OK);
    assertThat(started).containsExactly("a", "b");
  }

  @Test
  void drainOfANeverStartedVersionStartsWorkersAndRunsWhatWasQueued() throws Exception {
    instance = newInstance(1, 5, "reject-new");
    Invocation a = submit("a");
    Invocation b = submit("b");
    release.countDown();

    instance.drain().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    assertThat(result(b).outcome()).isEqualTo(Outcome.OK);
    assertThat(started).containsExactly("a", "b");
  }

  @Test
  void closeStopsQueuedAndRunningInvocationsAndEndsEveryWorkerThread() throws Exception {
    instance = newInstance(2, 5, "reject-new");
    instance.startWorkers();
    Invocation a = submit("wait-for-outcome:a");
    Invocation b = submit("wait-for-outcome:b");
    await().atMost(WAIT).until(() -> started.size() == 2);
    Invocation c = submit("c");
    List<Thread> workers = workerThreads();
    assertThat(workers).hasSize(2);

    instance.close();

    for (Invocation inv : List.of(a, b, c)) {
      assertThat(result(inv).outcome()).isEqualTo(Outcome.STOPPED);
      assertThat(result(inv).error()).isEqualTo("function version stopped");
    }
    for (Thread t : workers) {
      t.join(WAIT.toMillis());
      assertThat(t.isAlive()).as(t.getName()).isFalse();
    }
    assertThat(started).doesNotContain("c");
    assertThat(instance.submit(new Invocation(message("after")))).isFalse();
  }

  @Test
  void closeOfAnIdlePoolEndsItsWaitingWorkers() throws Exception {
    instance = newInstance(3, 5, "reject-new");
    instance.startWorkers();
    awaitIdleWorkers(3);
    List<Thread> workers = workerThreads();

    instance.close();

    for (Thread t : workers) {
      t.join(WAIT.toMillis());
      assertThat(t.isAlive()).as(t.getName()).isFalse();
    }
    assertThat(workerThreads()).isEmpty();
  }

  @Test
  void startsAnInvocationOnTheSubmittingThreadWhenASlotIsFreeAndNoWorkerWaitsForIt()
      throws Exception {
    instance = newInstance(2, 5, "reject-new");
    instance.startWorkers();
    awaitIdleWorkers(2);

    Invocation a = submit("now:a");

    assertThat(threadOf.get("now:a")).isSameAs(Thread.currentThread());
    assertThat(instance.inFlight()).isEqualTo(1);
    assertThat(instance.queueDepth()).isZero();
    awaitIdleWorkers(2); // no worker waits for it
    answer("now:a");
    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    await().atMost(WAIT).until(() -> instance.inFlight() == 0);
  }

  @Test
  void invocationsStartedOnTheSubmittingThreadTimeOutOldestFirstThroughOneTimer() throws Exception {
    instance = newInstance(2, 5, "reject-new", 300);
    instance.startWorkers();
    Invocation a = submit("now:a");
    Runnable timer = scheduler.nextTimer(); // armed for a's deadline
    await().pollDelay(Duration.ofMillis(400)).atMost(WAIT).until(() -> true); // past it
    Invocation b = submit("now:b");

    timer.run();

    assertThat(result(a).outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(result(a).error()).isEqualTo("timed out after 300 ms");
    assertThat(timedOut.get()).isEqualTo(1);
    assertThat(b.result).as("not past its own deadline").isNotDone();
    assertThat(instance.inFlight()).isEqualTo(1);
    scheduler.nextTimer(); // armed again, for b's deadline
    answer("now:b");
    assertThat(result(b).outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void startsNothingOnTheSubmittingThreadWhileInvocationsWaitInTheQueue() throws Exception {
    instance = newInstance(1, 5, "reject-new");
    instance.startWorkers();
    Invocation a = submit("a");
    await().atMost(WAIT).until(() -> started.contains("a"));

    Invocation b = submit("now:b"); // no free slot: queued
    Invocation c = submit("c");
    assertThat(instance.queueDepth()).isEqualTo(2);
    assertThat(threadOf).doesNotContainKey("now:b");
    release.countDown();

    for (Invocation inv : List.of(a, b, c)) {
      assertThat(result(inv).outcome()).isEqualTo(Outcome.OK);
    }
    assertThat(started).containsExactly("a", "now:b", "c");
    assertThat(threadOf.get("now:b")).isNotSameAs(Thread.currentThread());
  }

  @Test
  void invocationsStartedOnTheSubmittingThreadCountAgainstMaxConcurrency() throws Exception {
    instance = newInstance(2, 5, "reject-new");
    instance.startWorkers();
    Invocation a = submit("now:a");
    Invocation b = submit("now:b");
    assertThat(started).containsExactly("now:a", "now:b");

    Invocation c = submit("c"); // both slots are taken: it waits though the workers are idle
    Invocation d = submit("now:d");

    assertThat(instance.queueDepth()).isEqualTo(2);
    awaitIdleWorkers(2);
    assertThat(started).containsExactly("now:a", "now:b");
    answer("now:a");
    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    await().atMost(WAIT).until(() -> started.contains("c"));
    assertThat(instance.queueDepth()).isEqualTo(1);
    assertThat(started).doesNotContain("now:d");
    release.countDown();
    answer("now:b");
    for (Invocation inv : List.of(b, c, d)) {
      assertThat(result(inv).outcome()).isEqualTo(Outcome.OK);
    }
    assertThat(peak.get()).isEqualTo(2);
    assertThat(threadOf.get("now:d")).isNotSameAs(Thread.currentThread());
  }

  @Test
  void drainWaitsForAnInvocationStartedOnTheSubmittingThread() throws Exception {
    instance = newInstance(1, 5, "reject-new");
    instance.startWorkers();
    Invocation a = submit("now:a");

    CompletableFuture<Void> drained = instance.drain();

    assertThat(drained).isNotDone();
    answer("now:a");
    assertThat(result(a).outcome()).isEqualTo(Outcome.OK);
    drained.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void closeStopsAnInvocationStartedOnTheSubmittingThread() throws Exception {
    instance = newInstance(1, 5, "reject-new");
    instance.startWorkers();
    Invocation a = submit("now:a");

    instance.close();

    assertThat(result(a).outcome()).isEqualTo(Outcome.STOPPED);
  }

  // --- fixture ---

  private FunctionInstance newInstance(int maxConcurrency, int maxQueued, String overflow) {
    return newInstance(maxConcurrency, maxQueued, overflow, 600_000);
  }

  private FunctionInstance newInstance(
      int maxConcurrency, int maxQueued, String overflow, long timeoutMillis) {
    String yaml =
        "name: wp\n"
            + "version: "
            + version
            + "\nruntime: java\n"
            + "handler: io.outpost.example.Unused\n"
            + "triggers: [\"in/wp/#\"]\n"
            + "inputEncoding: binary\n"
            + "isolation: in-process\n"
            + "lifecycle: pinned\n"
            + "timeoutMillis: "
            + timeoutMillis
            + "\n"
            + "maxConcurrency: "
            + maxConcurrency
            + "\nmaxQueued: "
            + maxQueued
            + "\noverflow: "
            + overflow
            + "\n";
    FunctionRuntimeOptions options = FunctionRuntimeOptions.defaults();
    FunctionDescriptor descriptor =
        FunctionDescriptor.parse(
            new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test");
    FunctionSpec spec = descriptor.resolve(options);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RuntimeServices services = new RuntimeServices(options, Clock.systemUTC(), scheduler, registry);
    FunctionSlot slot =
        new FunctionSlot(
            "wp",
            m -> CompletableFuture.completedFuture(null),
            new ErrorRecords(Clock.systemUTC()),
            registry,
            () -> {});
    FunctionPackage pkg = new FunctionPackage(descriptor, tmp, true);
    FunctionInstance created =
        new FunctionInstance(pkg, spec, slot, services, (p, i, s) -> new ScriptedInvoker());
    slot.activate(created, List.of());
    return created;
  }

  /**
   * What a child's reader thread does with a result: completes the invocation, then the future the
   * worker awaits.
   */
  private void answer(String payload) throws Exception {
    await().atMost(WAIT).until(() -> answers.containsKey(payload));
    Answer a = answers.remove(payload);
    runningNow.decrementAndGet();
    Thread reader = new Thread(() -> a.context().returned(List.of()), "worker-pool-test-reader");
    reader.start();
    reader.join(WAIT.toMillis());
  }

  private Invocation submit(String payload) {
    Invocation inv = new Invocation(message(payload));
    assertThat(instance.submit(inv)).isTrue();
    return inv;
  }

  private static InboundMessage message(String payload) {
    return new InboundMessage(
        "in/wp/x",
        payload.getBytes(StandardCharsets.UTF_8),
        1,
        List.of(),
        "device-1",
        Instant.now());
  }

  private static InvocationResult result(Invocation inv) throws Exception {
    return inv.result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** This test's live worker threads (each test has its own version, hence its own names). */
  private List<Thread> workerThreads() {
    String prefix = "outpost-fn-wp@" + version + "-";
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
        .toList();
  }

  /** Waits until {@code n} workers are parked on the pool's condition, waiting for work. */
  private void awaitIdleWorkers(int n) {
    await()
        .atMost(WAIT)
        .until(() -> workerThreads().stream().filter(WorkerPoolTest::waitsForWork).count() == n);
  }

  private static boolean waitsForWork(Thread t) {
    if (t.getState() != Thread.State.WAITING) {
      return false;
    }
    boolean inTake = false;
    boolean onCondition = false;
    for (StackTraceElement e : t.getStackTrace()) {
      inTake |=
          e.getClassName().equals(WorkerPool.class.getName()) && e.getMethodName().equals("take");
      onCondition |=
          e.getClassName().endsWith("ConditionObject") && e.getMethodName().equals("await");
    }
    return inTake && onCondition;
  }

  /**
   * Handlers by payload: "stuck" ignores interrupts until released; "wait-for-outcome:*" answers an
   * interrupt only once its invocation has an outcome (so close() reports it, not the handler);
   * anything else waits for {@link #release}. "now:*" is started on the submitting thread ({@link
   * #startNow}) until {@link #answer}ed, like a child process's request.
   */
  private final class ScriptedInvoker implements Invoker {

    @Override
    public void start() {}

    @Override
    public List<OutboundMessage> invoke(Invocation inv, InvocationContext context)
        throws Exception {
      String payload = new String(inv.message.payload(), StandardCharsets.UTF_8);
      threadOf.put(payload, Thread.currentThread());
      started.add(payload);
      peak.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
      try {
        if (payload.equals("stuck")) {
          ignoreInterruptsUntil(releaseStuck);
        } else if (payload.startsWith("wait-for-outcome:")) {
          try {
            release.await();
          } catch (InterruptedException e) {
            inv.result.join();
            throw e;
          }
        } else {
          release.await();
        }
        return List.of();
      } finally {
        runningNow.decrementAndGet();
      }
    }

    private void ignoreInterruptsUntil(CountDownLatch latch) {
      while (true) {
        try {
          latch.await();
          return;
        } catch (InterruptedException e) {
          stuckInterrupted.countDown();
        }
      }
    }

    @Override
    public boolean startsNow() {
      return true;
    }

    @Override
    public boolean startNow(Invocation inv, InvocationContext context) {
      String payload = new String(inv.message.payload(), StandardCharsets.UTF_8);
      if (!payload.startsWith("now:")) {
        return false;
      }
      threadOf.put(payload, Thread.currentThread());
      started.add(payload);
      peak.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
      answers.put(payload, new Answer(context));
      return true;
    }

    @Override
    public void timedOut() {
      timedOut.incrementAndGet();
    }

    @Override
    public void close() {}
  }

  /**
   * The runtime scheduler, except that one-shot tasks (the invocation watchdog) are recorded for
   * the test to run instead of being run on a timer.
   */
  private static final class ManualScheduler extends ScheduledThreadPoolExecutor {

    private final BlockingQueue<Runnable> timers = new LinkedBlockingQueue<>();

    ManualScheduler() {
      super(1, r -> new Thread(r, "worker-pool-test-scheduler"));
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      timers.add(command);
      return super.schedule(() -> {}, 1, TimeUnit.DAYS);
    }

    Runnable nextTimer() throws InterruptedException {
      Runnable next = timers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(next).as("a scheduled watchdog").isNotNull();
      return next;
    }
  }
}
